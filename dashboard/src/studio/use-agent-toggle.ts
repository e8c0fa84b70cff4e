import { useCallback, useEffect, useState } from 'react';
import { agentStatus, type ShowState } from '@showwire/protocol';
import { apiRequest } from '../lib/api.js';
import { agentError, type HostError } from './host-errors.js';

/** How long a dispatched agent may take to say it joined before the host is told it did not. */
export const AGENT_JOIN_TIMEOUT_MS = 45_000;

/**
 * The join timeout for this page: `?agentJoinTimeout=<seconds>` (1 … 600) where a slow worker
 * pool needs longer, or a test shorter; otherwise AGENT_JOIN_TIMEOUT_MS.
 */
export function agentJoinTimeoutMs(search: string): number {
  const seconds = Number(new URLSearchParams(search).get('agentJoinTimeout'));
  return Number.isFinite(seconds) && seconds >= 1 && seconds <= 600 ? seconds * 1000 : AGENT_JOIN_TIMEOUT_MS;
}

/** Ends of the agent's session that are nobody's trouble: the show ended, or someone ended the agent. */
const QUIET_ENDS = new Set(['room_ended', 'ended_by_staff', 'shutdown']);

/**
 * The voice agent's toggle: on dispatches it (naming the host, so it links to the host and never
 * to a viewer), off ends it (`control end_agent`). Where the agent is comes from the show's
 * events (`agent_waiting`, `agent_ready`, `agent_session_closed`), not from the button.
 */
export function useAgentToggle(show: string, token: string | null, state: ShowState, hostIdentity: string | undefined, joinTimeoutMs = AGENT_JOIN_TIMEOUT_MS) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<HostError>();
  const [dispatchedAt, setDispatchedAt] = useState<number>();
  const status = agentStatus(state);
  const present = status.kind === 'ready' || status.kind === 'waiting';

  // Dispatched, and nothing heard of it in time: say so rather than show a spinner for ever.
  useEffect(() => {
    if (dispatchedAt === undefined || present) return;
    const left = dispatchedAt + joinTimeoutMs - Date.now();
    const timer = setTimeout(() => {
      setError({ problem: 'agent', message: `The voice agent has not joined after ${joinTimeoutMs / 1000} s. No agent worker may be running; try again, or ask support.` });
      setDispatchedAt(undefined);
    }, Math.max(0, left));
    return () => clearTimeout(timer);
  }, [dispatchedAt, present, joinTimeoutMs]);

  // The agent came: the dispatch is over (set while rendering, from the show's events).
  if (present && dispatchedAt !== undefined) setDispatchedAt(undefined);

  // A session that ended on an error (not the host's own end) is said in words too, once per ending.
  const [closedSeen, setClosedSeen] = useState<ShowState['agentClosed']>();
  if (state.agentClosed !== closedSeen) {
    setClosedSeen(state.agentClosed);
    const reason = state.agentClosed?.reason;
    if (reason && !QUIET_ENDS.has(reason)) {
      const why = state.lastError ? `: ${state.lastError.message}` : '';
      setError({ problem: 'agent', message: `The voice agent left the show (${reason})${why}.` });
    }
  }

  const toggle = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (present) {
        await apiRequest(`/api/shows/${encodeURIComponent(show)}/control`, token, { method: 'POST', body: JSON.stringify({ action: 'end_agent' }) });
      } else {
        await apiRequest('/api/streaming/dispatch-agent', token, {
          method: 'POST',
          body: JSON.stringify({ roomName: show, metadata: { ...(hostIdentity && { hostIdentity }), ...(state.title && { title: state.title }) } }),
        });
        setDispatchedAt(Date.now());
      }
    } catch (e) {
      setError(agentError(e));
    } finally {
      setBusy(false);
    }
  }, [present, show, token, hostIdentity, state.title]);

  return { status, present, pending: dispatchedAt !== undefined && !present, busy, error, toggle };
}
