import { agentStatus, type ShowState } from '@showwire/protocol';
import { formatClock } from '../lib/format.js';
import { agentNow } from '../lib/trouble.js';

/**
 * The agent's state as far as anyone can know it. `staleSince` (the hub says the stream stalled or
 * the agent is missing) turns the last state into "unknown since" the last event: an old
 * "speaking" would only mislead.
 */
export function AgentChip({ state: s, staleSince }: { state: ShowState; staleSince?: number | undefined }) {
  if (s.status === 'ended') return <span className="agent agent-unknown" data-agent-state="ended">Show ended</span>;
  if (s.agentClosed) return <span className="agent agent-unknown" data-agent-state="closed">Agent left</span>;
  if (staleSince !== undefined)
    return (
      <span className="agent agent-unknown agent-stale" data-agent-state="stale" title={`Last known: ${s.agentSpeaking ? 'speaking' : (s.agentState ?? 'none')}`}>
        unknown since {formatClock(staleSince)}
      </span>
    );
  const st = agentNow(s);
  // Dispatched and in the room, waiting for its host: present, not missing.
  if (st === 'unknown' && s.agentWaiting) return <span className="agent agent-waiting" data-agent-state="waiting">{agentStatus(s).label}</span>;
  if (st === 'unknown') return <span className="agent agent-unknown">No agent yet</span>;
  return (
    <span className={`agent agent-${st}`} data-agent-state={st}>
      <span className="agent-dot" aria-hidden="true" />
      {st}
    </span>
  );
}
