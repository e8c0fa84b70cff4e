import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParticipantKind, type RemoteParticipant } from '@livekit/rtc-node';
import { findHost } from '../src/host-rpc.js';

/**
 * Which participant the agent's RPCs go to. `findHost` reads only identities, kinds and track
 * counts, so plain records stand in for the room here; the real RPC path runs in
 * e2e-livekit.test.ts.
 */
function room(...ps: Array<{ identity: string; kind: ParticipantKind; tracks?: number }>) {
  const remote = ps.map(({ identity, kind, tracks = 0 }) => ({ identity, kind, trackPublications: new Map(Array.from({ length: tracks }, (_, i) => [`TR_${i}`, {}])) }));
  return { remoteParticipants: new Map(remote.map((p) => [p.identity, p as unknown as RemoteParticipant])) };
}

describe('findHost: the target of the host RPCs', () => {
  const agent = { identity: 'agent-1', kind: ParticipantKind.AGENT, tracks: 1 };
  const egress = { identity: 'EG_rec', kind: ParticipantKind.EGRESS };
  const viewer = { identity: 'viewer-1', kind: ParticipantKind.STANDARD };
  const host = { identity: 'host-1', kind: ParticipantKind.STANDARD, tracks: 2 };

  it('is the participant the dispatch named, when it is in the room', () => {
    assert.equal(findHost(room(agent, host, viewer), 'viewer-1')?.identity, 'viewer-1');
  });

  it('otherwise is the first standard participant that publishes, skipping agents and egress', () => {
    assert.equal(findHost(room(agent, egress, viewer, host))?.identity, 'host-1');
    assert.equal(findHost(room(agent, viewer, host), 'not-here')?.identity, 'host-1');
  });

  it('falls back to a standard participant that publishes nothing, and is absent without one', () => {
    assert.equal(findHost(room(agent, egress, viewer))?.identity, 'viewer-1');
    assert.equal(findHost(room(agent, egress)), undefined);
    assert.equal(findHost(room()), undefined);
  });
});
