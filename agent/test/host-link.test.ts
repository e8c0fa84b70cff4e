import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ParticipantKind, type Room, RoomEvent, TrackSource } from '@livekit/rtc-node';
import { canBeHost, chooseHost, type ParticipantLike, watchHostPresence } from '../src/host-link.js';

/**
 * The rules that pick the participant the agent listens to. They read identities, kinds,
 * attributes, permission and track sources only, so plain records stand in for participants
 * here; the real rooms (hub-minted tokens, viewers joining around the host) run in
 * show-room.test.ts.
 */
function p(identity: string, o: { kind?: ParticipantKind; role?: string; canPublish?: boolean; mic?: boolean; camera?: boolean } = {}): ParticipantLike {
  const tracks: Array<[string, { source: TrackSource }]> = [];
  if (o.mic) tracks.push(['TR_mic', { source: TrackSource.SOURCE_MICROPHONE }]);
  if (o.camera) tracks.push(['TR_cam', { source: TrackSource.SOURCE_CAMERA }]);
  return {
    identity,
    kind: o.kind ?? ParticipantKind.STANDARD,
    attributes: o.role ? { 'showwire.role': o.role } : {},
    trackPublications: new Map(tracks) as unknown as ParticipantLike['trackPublications'],
    info: o.canPublish === undefined ? {} : { permission: { canPublish: o.canPublish } },
  };
}

describe('chooseHost: who the agent links to', () => {
  it('is the participant the hub marked as host, even before it publishes and behind viewers', () => {
    const viewers = [p('v1', { role: 'viewer', canPublish: false }), p('v2', { role: 'viewer', canPublish: false })];
    assert.equal(chooseHost([...viewers, p('alice', { role: 'host', canPublish: true })])?.identity, 'alice');
    // The marked host wins over an unmarked participant that already publishes a microphone.
    assert.equal(chooseHost([p('guest', { mic: true }), p('alice', { role: 'host' })])?.identity, 'alice');
  });

  it('otherwise is the first participant publishing a microphone that is not a viewer', () => {
    assert.equal(chooseHost([p('cam-only', { camera: true }), p('bob', { mic: true })])?.identity, 'bob');
    assert.equal(chooseHost([p('v', { role: 'viewer', mic: true }), p('bob', { mic: true })])?.identity, 'bob');
  });

  it('is nobody while only viewers, subscribe-only participants, agents and egress are in the room', () => {
    const room = [
      p('v1', { role: 'viewer', canPublish: false }),
      p('plain-viewer', { canPublish: false }),
      p('agent', { kind: ParticipantKind.AGENT, mic: true }),
      p('EG_1', { kind: ParticipantKind.EGRESS, mic: true }),
      p('listener'),
    ];
    assert.equal(chooseHost(room), undefined);
  });

  it('never takes a subscribe-only participant, even one marked host', () => {
    assert.equal(canBeHost(p('odd', { role: 'host', canPublish: false })), false);
    assert.equal(chooseHost([p('odd', { role: 'host', canPublish: false })]), undefined);
  });

  it('takes an ingress stream (OBS) or a phone caller that publishes a microphone', () => {
    assert.equal(chooseHost([p('IN_obs', { kind: ParticipantKind.INGRESS, mic: true })])?.identity, 'IN_obs');
    assert.equal(chooseHost([p('sip_1', { kind: ParticipantKind.SIP, mic: true })])?.identity, 'sip_1');
  });
});

describe('watchHostPresence: the grace while the host is away', () => {
  /** A room that only emits joins and leaves; the clock is mocked, so the grace passes on demand. */
  function room(present: string[]) {
    const r = Object.assign(new EventEmitter(), { remoteParticipants: new Map(present.map((id) => [id, p(id)])) });
    const joins = (id: string) => {
      r.remoteParticipants.set(id, p(id));
      r.emit(RoomEvent.ParticipantConnected, p(id));
    };
    const leaves = (id: string) => {
      r.remoteParticipants.delete(id);
      r.emit(RoomEvent.ParticipantDisconnected, p(id));
    };
    return { room: r as unknown as Room, joins, leaves };
  }
  const watch = (r: Room) => {
    const gone: boolean[] = [];
    const stop = watchHostPresence(r, 'host', { graceMs: 10_000, onGone: (seen) => gone.push(seen) });
    return { gone, stop };
  };

  it('a host back within the grace keeps the session; viewers coming and going change nothing', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const r = room(['host', 'v1']);
    const w = watch(r.room);
    r.leaves('v1');
    r.joins('v2');
    t.mock.timers.tick(60_000);
    assert.deepEqual(w.gone, [], 'viewers never start the grace');
    r.leaves('host');
    t.mock.timers.tick(9_000);
    r.joins('host');
    t.mock.timers.tick(60_000);
    assert.deepEqual(w.gone, []);
    w.stop();
  });

  it('a host away for the whole grace ends it once; a host that never came is told apart', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const r = room(['host']);
    const w = watch(r.room);
    r.leaves('host');
    t.mock.timers.tick(9_999);
    assert.deepEqual(w.gone, []);
    t.mock.timers.tick(1);
    assert.deepEqual(w.gone, [true]);
    w.stop();

    const empty = room(['v1']);
    const never = watch(empty.room);
    t.mock.timers.tick(10_000);
    assert.deepEqual(never.gone, [false]);
    never.stop();
  });

  it('stopping the watch stops a running grace', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const r = room(['host']);
    const w = watch(r.room);
    r.leaves('host');
    w.stop();
    t.mock.timers.tick(60_000);
    assert.deepEqual(w.gone, []);
  });
});
