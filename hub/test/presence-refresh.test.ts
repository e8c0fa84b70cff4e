import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { mintToken } from '../src/auth/tokens.js';
import { getJson, startHub, type TestHub, listen, waitFor } from '@showwire/testkit';

describe('presence: who watches a show', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startHub();
  });
  after(() => hub.close());

  const presence = async (show: string) => {
    const res = await getJson(`${hub.url}/api/shows/${show}/presence`, await hub.token('staff'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.watchers.map((w: any) => `${w.role}:${w.sub}`);
  };
  const watch = async (sub: string, role: 'staff' | 'host' | 'viewer' | 'admin', query = 'shows=p-show') => {
    const s = listen(`${hub.url}/api/stream?${query}`, { token: await hub.token(role, ['p-show'], 600, sub) });
    await s.opened().catch((e: Error) => {
      s.close();
      throw new Error(`${role} ${sub} ${query}: ${e.message}`);
    });
    return s;
  };

  it('lists staff and hosts on the show stream, once per person, with id-less notices on every change', async () => {
    const sam = await watch('sam', 'staff');
    await waitFor('sam listed', async () => (await presence('p-show')).length === 1);
    const kim = await watch('kim', 'staff');
    const kimTab2 = await watch('kim', 'staff');
    const hana = await watch('hana', 'host');
    // Not watching this show: a viewer, and a wall of every show.
    const viewer = await watch('vic', 'viewer');
    const wall = await watch('walt', 'staff', '');
    await waitFor('three watchers', async () => (await presence('p-show')).length === 3);
    assert.deepEqual(await presence('p-show'), ['staff:sam', 'staff:kim', 'host:hana']);

    // Sam's stream was told of each arrival, without ids (the resume point never moves).
    await sam.until(() => sam.notices.some((n) => n.type === 'presence' && n.watchers.length === 3), 10_000, 'presence notice');
    assert.ok(sam.notices.filter((n) => n.type === 'presence').every((n) => n.show === 'p-show'));
    assert.equal(sam.events.length, 0, 'presence is not an event with an id');
    assert.ok(!viewer.notices.some((n) => n.type === 'presence'), 'viewers are not told who supervises');

    // One of kim's two tabs closes: kim still watches. The other closes: kim is gone.
    kimTab2.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await presence('p-show'), ['staff:sam', 'staff:kim', 'host:hana']);
    kim.close();
    await waitFor('kim gone', async () => !(await presence('p-show')).includes('staff:kim'));
    await sam.until(() => sam.notices.at(-1)?.watchers.length === 2, 10_000, 'departure notice');
    assert.deepEqual(sam.notices.at(-1).watchers.map((w: any) => w.sub), ['sam', 'hana']);

    const denied = await getJson(`${hub.url}/api/shows/p-show/presence`, await hub.token('viewer', ['p-show']));
    assert.equal(denied.status, 403);
    for (const s of [sam, hana, viewer, wall]) s.close();
  });
});

describe('POST /api/auth/refresh', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startHub({ HUB_SESSION_MAX_HOURS: '1' });
  });
  after(() => hub.close());
  /** As the dashboard sends it: no body. */
  const refresh = async (token?: string) => {
    const res = await fetch(`${hub.url}/api/auth/refresh`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) };
  };

  it('trades a valid token for a fresh one with the same claims and lifetime, keeping the first sign-in time', async () => {
    const first = await hub.token('host', ['show-a', 'show-b'], 120, 'hana');
    const firstClaims = decodeJwt(first);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await refresh(first);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const claims = decodeJwt(res.body.token);
    assert.deepEqual([claims.sub, claims.role, claims.shows], ['hana', 'host', ['show-a', 'show-b']]);
    assert.ok(claims.exp! > firstClaims.exp!, 'the new token lasts longer');
    assert.equal(claims.exp! - claims.iat!, 120, 'same lifetime as the first');
    assert.equal(claims.auth_time, firstClaims.iat, 'the session began at the first sign-in');
    assert.equal(res.body.sessionExpiresAt, firstClaims.iat! + 3600);
    // The new token works, and refreshing it again keeps the first sign-in time.
    assert.equal((await getJson(`${hub.url}/api/shows/show-a/presence`, res.body.token)).status, 200);
    const again = await refresh(res.body.token);
    assert.equal(decodeJwt(again.body.token).auth_time, firstClaims.iat);
  });

  it('never past HUB_SESSION_MAX_HOURS after the first sign-in; expired, missing and bad tokens are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const nearEnd = (await mintToken(hub.app.tokenKey, { sub: 'sam', role: 'staff', shows: ['*'] }, 600, now - 3600 + 30)).token;
    const capped = await refresh(nearEnd);
    assert.equal(capped.status, 200);
    assert.ok(capped.body.exp <= now + 31 && capped.body.exp >= now + 25, `exp ${capped.body.exp - now}s from now, not the full 600`);

    const over = (await mintToken(hub.app.tokenKey, { sub: 'sam', role: 'staff', shows: ['*'] }, 600, now - 3601)).token;
    const refused = await refresh(over);
    assert.equal(refused.status, 401);
    assert.match(refused.body.message, /HUB_SESSION_MAX_HOURS \(1\)/);

    const expired = (await mintToken(hub.app.tokenKey, { sub: 'sam', role: 'staff', shows: ['*'] }, 1)).token;
    await new Promise((r) => setTimeout(r, 2100));
    const late = await refresh(expired);
    assert.equal(late.status, 401);
    assert.match(late.body.message, /expired/);
    assert.equal((await refresh()).status, 401);
    assert.equal((await refresh('not-a-jwt')).status, 401);
  });
});
