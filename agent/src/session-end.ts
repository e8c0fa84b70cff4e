import type { HubClient } from './hub-client.js';

/**
 * Why the agent's session ended, told to the hub exactly once (`agent_session_closed`), so the
 * show never looks as if it had an agent when it has none. Several signals may report the same
 * end (the room going away, then the framework closing the session, then the job's shutdown
 * callbacks): the first cause noted is the one that counts, and `post()` publishes it once.
 */
export const END_REASONS = {
  /** The host left and did not come back within AGENT_HOST_GRACE_S. */
  hostGone: 'host_gone',
  /** No host joined within AGENT_HOST_GRACE_S of the dispatch. */
  noHost: 'no_host',
  /** The room was deleted (the show ended). */
  roomEnded: 'room_ended',
  /** The agent's room connection dropped for another reason. */
  disconnected: 'disconnected',
  /** The session failed (an unrecoverable STT/LLM/TTS error, or the entry threw). */
  error: 'error',
  /** The worker or job was told to stop. */
  shutdown: 'shutdown',
  /** Staff ended the agent (`end_agent` control). */
  endedByStaff: 'ended_by_staff',
} as const;

export interface SessionEnd {
  /** Records a cause, unless one was recorded already. */
  note: (reason: string) => void;
  /** Publishes `agent_session_closed` with the recorded cause (or `fallback`), once. */
  post: (fallback?: string) => void;
  /** The recorded cause, if any. */
  reason: () => string | undefined;
}

export function sessionEnd(hub: Pick<HubClient, 'publish'>): SessionEnd {
  let cause: string | undefined;
  let posted = false;
  return {
    note: (reason) => {
      cause ??= reason;
    },
    post: (fallback = END_REASONS.shutdown) => {
      if (posted) return;
      posted = true;
      cause ??= fallback;
      hub.publish({ type: 'agent_session_closed', reason: cause });
    },
    reason: () => cause,
  };
}
