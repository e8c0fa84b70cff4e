import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hubWrittenTypes, roles, type EventInput, type Role } from '@showwire/protocol';
import type { Principal } from '../src/auth/access.js';
import { HttpError } from '../src/errors.js';
import { assertMayWrite, refusal } from '../src/pipeline/publish-policy.js';

/**
 * The publish policy as a table: principal × event → allowed, or refused with a 403 whose message
 * says why. publish-policy.test.ts drives the same policy end to end through every route; this
 * table pins each decision and its order (hub-only type, then reserved eventId, then role, then show).
 */

type Event = EventInput & { show: string };
const who = (role: Role, shows: string[] | null = ['s1'], extra: Partial<Principal> = {}): Principal => ({ sub: `${role}-1`, role, shows: shows && new Set(shows), ...extra });
const ev = (type: string, fields: Record<string, unknown> = {}, show = 's1'): Event => ({ type, show, ...fields });
const cart = (userId: unknown, show = 's1') => ev('cart_event', { action: 'add', productId: 'p1', userId }, show);

const HUB_ONLY = /^type "[a-z_]+" is written by the hub itself \(alerts, acknowledgements, controls, summaries, notices\); role "[a-z]+" cannot publish it$/;
const RESERVED = /^eventId "[^"]+" is in a namespace the hub keeps for its own events \(alert_raised:, alert_resolved:, summary:, livekit:\)$/;
const NOT_PUBLISHER = /^role "(staff|host)" cannot publish events \(agent, service or admin tokens can\)$/;
const NOT_COVERED = /^this token does not cover show "s2"$/;
const VIEWER_TYPE = /^role "viewer" may publish only its own cart events, not "transcript"$/;
const VIEWER_SELF = /^a viewer posts cart events for itself only: userId "[^"]*" is not this token's subject "viewer-1"$/;

interface Row {
  name: string;
  principal: Principal;
  event: Event;
  /** undefined: allowed; else the refusal's message. */
  refused?: RegExp;
}

const rows: Row[] = [];
const publishers: Role[] = ['admin', 'agent', 'service'];

for (const role of roles) {
  for (const type of hubWrittenTypes) {
    rows.push({ name: `${role} may not write ${type}`, principal: who(role, null), event: ev(type), refused: HUB_ONLY });
  }
}
for (const role of publishers) {
  rows.push({ name: `${role} writes an ordinary event to its show`, principal: who(role), event: ev('transcript', { text: 'hi' }) });
  rows.push({ name: `${role} writes with an eventId of its own`, principal: who(role), event: ev('note', { eventId: 'mine:alert_raised:1' }) });
  for (const eventId of ['alert_raised:agent_silent.7', 'alert_resolved:x.1', 'summary:42', 'livekit:room_started:abc', 'summary:']) {
    rows.push({ name: `${role} may not take the hub's eventId ${eventId}`, principal: who(role), event: ev('note', { eventId }), refused: RESERVED });
  }
  // Namespaces are prefixes, and exact: a near miss is the caller's own id.
  for (const eventId of ['summary', 'Summary:1', 'alert_raised', 'x-livekit:1']) {
    rows.push({ name: `${role} may use the near miss ${eventId}`, principal: who(role), event: ev('note', { eventId }) });
  }
}
rows.push(
  { name: 'agent: a show its token does not name', principal: who('agent'), event: ev('transcript', {}, 's2'), refused: NOT_COVERED },
  { name: 'service: a show its token does not name', principal: who('service'), event: ev('transcript', {}, 's2'), refused: NOT_COVERED },
  { name: 'agent with every show', principal: who('agent', null), event: ev('transcript', {}, 's2') },
  { name: 'admin covers every show whatever its token names', principal: who('admin', ['s1']), event: ev('transcript', {}, 's2') },
  { name: 'staff cannot publish', principal: who('staff', null), event: ev('transcript'), refused: NOT_PUBLISHER },
  { name: 'host cannot publish, even to its show', principal: who('host'), event: ev('transcript'), refused: NOT_PUBLISHER },
  { name: 'host cannot publish a cart event either', principal: who('host'), event: cart('host-1'), refused: NOT_PUBLISHER },
  { name: 'viewer: its own cart event', principal: who('viewer'), event: cart('viewer-1') },
  { name: "viewer: another user's cart event", principal: who('viewer'), event: cart('viewer-2'), refused: VIEWER_SELF },
  { name: 'viewer: a cart event without a userId', principal: who('viewer'), event: cart(undefined), refused: VIEWER_SELF },
  { name: 'viewer: any other type', principal: who('viewer'), event: ev('transcript'), refused: VIEWER_TYPE },
  { name: 'viewer: its own cart event on a show its token does not name', principal: who('viewer'), event: cart('viewer-1', 's2'), refused: NOT_COVERED },
  { name: 'viewer: its own cart event under a reserved eventId', principal: who('viewer'), event: ev('cart_event', { userId: 'viewer-1', eventId: 'summary:1' }), refused: RESERVED },
  // The order of the checks: the first that applies is the one the caller reads.
  { name: 'a hub-only type is named before a reserved eventId', principal: who('agent'), event: ev('alert_raised', { eventId: 'alert_raised:x.1' }), refused: HUB_ONLY },
  { name: 'a reserved eventId is named before the show', principal: who('agent'), event: ev('note', { eventId: 'summary:1' }, 's2'), refused: RESERVED },
  { name: 'the role is named before the show', principal: who('staff', ['s1']), event: ev('transcript', {}, 's2'), refused: NOT_PUBLISHER },
);
// The hub's own producers write anything: its types, its eventIds, any show.
for (const type of hubWrittenTypes) {
  rows.push({ name: `the hub writes ${type}`, principal: who('admin', ['s1'], { hub: true }), event: ev(type, { eventId: `alert_raised:${type}.1` }, 's2') });
}
rows.push({ name: 'the hub writes under a viewer role too', principal: who('viewer', ['s1'], { hub: true }), event: ev('transcript', { eventId: 'livekit:x' }, 's2') });

describe('publish policy (unit)', () => {
  for (const row of rows) {
    it(`${row.name} → ${row.refused ? 'refused' : 'allowed'}`, () => {
      const got = refusal(row.principal, row.event);
      if (!row.refused) {
        assert.equal(got, undefined, got?.message);
        return;
      }
      assert.ok(got instanceof HttpError, 'refused');
      assert.equal(got.statusCode, 403);
      assert.equal(got.code, 'forbidden');
      assert.match(got.message, row.refused);
      if (row.refused === HUB_ONLY) assert.ok(got.message.includes(`"${row.event.type}"`) && got.message.includes(`role "${row.principal.role}"`));
      if (row.refused === RESERVED) assert.ok(got.message.startsWith(`eventId "${String(row.event.eventId)}"`));
    });
  }

  it('a batch is refused whole, with its first refusal', () => {
    const agent = who('agent');
    assert.doesNotThrow(() => assertMayWrite(agent, [ev('transcript'), ev('note', { eventId: 'a' })]));
    assert.throws(
      () => assertMayWrite(agent, [ev('transcript'), ev('note', { eventId: 'summary:9' }), ev('control')]),
      (e: unknown) => e instanceof HttpError && e.statusCode === 403 && e.message.startsWith('eventId "summary:9"'),
    );
    assert.doesNotThrow(() => assertMayWrite(agent, []));
  });
});
