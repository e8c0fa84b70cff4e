import { ParticipantKind, type RemoteParticipant, type Room, RoomEvent, TrackSource } from '@livekit/rtc-node';
import { PARTICIPANT_ROLE_ATTRIBUTE } from '@showwire/protocol';

/**
 * Who the agent listens to. A live show always has viewers in the room, so the agent must never
 * link its audio input to "the first participant": it picks the host, by these rules in order,
 * and hands the identity to the framework's own room input (`participantIdentity`), which then
 * hears only that participant and re-links it by itself when it comes back.
 *
 *  1. the identity the dispatch named (`hostIdentity`);
 *  2. the participant the hub marked as host (token attribute `showwire.role=host`);
 *  3. the first participant that publishes a microphone and is not a viewer.
 *
 * Never a viewer (`showwire.role=viewer`), never a subscribe-only participant, never an agent,
 * egress or other non-speaking kind.
 */

/** Kinds whose audio may be the host's: an app, a stream pushed through ingress (OBS), a phone call. */
export const HOST_KINDS: ParticipantKind[] = [ParticipantKind.STANDARD, ParticipantKind.INGRESS, ParticipantKind.SIP];

/** What the rules read of a participant; a `RemoteParticipant` has all of it. */
export type ParticipantLike = Pick<RemoteParticipant, 'identity' | 'kind' | 'attributes' | 'trackPublications'> & {
  info?: { permission?: { canPublish?: boolean } };
};

const roleOf = (p: ParticipantLike) => p.attributes?.[PARTICIPANT_ROLE_ATTRIBUTE];
// The permission is what LiveKit told us at join; a participant without it listed is not assumed mute.
const subscribeOnly = (p: ParticipantLike) => p.info?.permission?.canPublish === false;
const publishesMicrophone = (p: ParticipantLike) => [...p.trackPublications.values()].some((t) => t.source === TrackSource.SOURCE_MICROPHONE);

/** Whether this participant may ever be linked as the host. */
export function canBeHost(p: ParticipantLike): boolean {
  return HOST_KINDS.includes(p.kind) && !subscribeOnly(p) && roleOf(p) !== 'viewer';
}

/**
 * The host among the participants in the room now, by rules 2 and 3 (rule 1 needs no room:
 * the framework waits for the named identity). `undefined` while nobody qualifies.
 */
export function chooseHost<P extends ParticipantLike>(participants: Iterable<P>): P | undefined {
  const candidates = [...participants].filter(canBeHost);
  return candidates.find((p) => roleOf(p) === 'host') ?? candidates.find(publishesMicrophone);
}

export interface WaitForHostOptions {
  /** The identity the dispatch named, if any. */
  named?: string;
  /** Give up after this long (the host grace). */
  timeoutMs: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

/**
 * The identity to link: the named one at once (unless it is in the room and may not be a host),
 * otherwise the first participant that qualifies, re-checked whenever someone joins, publishes
 * or changes attributes. `undefined` if nobody qualified within `timeoutMs`.
 */
export function waitForHost(room: Room, opts: WaitForHostOptions): Promise<string | undefined> {
  if (opts.named) {
    const present = room.remoteParticipants.get(opts.named);
    if (!present || canBeHost(present)) return Promise.resolve(opts.named);
    opts.log?.(`the dispatch named ${opts.named} as host, but it is a viewer or cannot publish; picking the host by the other rules`);
  }
  return new Promise((resolve) => {
    const events = [RoomEvent.ParticipantConnected, RoomEvent.TrackPublished, RoomEvent.ParticipantAttributesChanged] as const;
    const done = (identity: string | undefined) => {
      for (const e of events) room.off(e, check);
      opts.signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      resolve(identity);
    };
    const check = () => {
      const host = chooseHost(room.remoteParticipants.values());
      if (host) done(host.identity);
    };
    const abort = () => done(undefined);
    const timer = setTimeout(abort, opts.timeoutMs);
    for (const e of events) room.on(e, check);
    opts.signal?.addEventListener('abort', abort, { once: true });
    check();
  });
}

export interface HostPresenceOptions {
  /** How long the host may be away before `onGone`. */
  graceMs: number;
  /** The host was away for the whole grace (`seen`: it had been in the room): the session should end. */
  onGone: (seen: boolean) => void;
  onLeft?: () => void;
  onBack?: () => void;
}

/**
 * Watches the linked host: when it leaves (or is not there yet) a grace timer runs; when it
 * comes back the timer stops (the framework's room input re-links the same identity and its
 * microphone by itself). Viewers joining or leaving are not looked at. Returns a stop function.
 */
export function watchHostPresence(room: Room, identity: string, opts: HostPresenceOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let seen = room.remoteParticipants.has(identity);
  const arm = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      opts.onGone(seen);
    }, opts.graceMs);
  };
  const disarm = () => {
    if (!timer) return;
    clearTimeout(timer);
    timer = undefined;
    opts.onBack?.();
  };
  const onConnected = (p: RemoteParticipant) => {
    if (p.identity !== identity) return;
    seen = true;
    disarm();
  };
  const onDisconnected = (p: RemoteParticipant) => {
    if (p.identity !== identity) return;
    opts.onLeft?.();
    arm();
  };
  room.on(RoomEvent.ParticipantConnected, onConnected);
  room.on(RoomEvent.ParticipantDisconnected, onDisconnected);
  if (!room.remoteParticipants.has(identity)) arm();
  return () => {
    room.off(RoomEvent.ParticipantConnected, onConnected);
    room.off(RoomEvent.ParticipantDisconnected, onDisconnected);
    clearTimeout(timer);
    timer = undefined;
  };
}
