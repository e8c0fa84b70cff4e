import type { ShowState } from '@showwire/protocol';

/** What the show's agent is doing, as a chip: on the wall's cards and the show view's header. */
export function AgentChip({ state: s }: { state: ShowState }) {
  // An ended show, or an agent whose session closed, has no agent state worth showing.
  if (s.status === 'ended') return <span className="agent agent-unknown">Show ended</span>;
  if (s.agentClosed) return <span className="agent agent-unknown" data-agent-state="closed">Agent left</span>;
  const st = s.agentSpeaking ? 'speaking' : (s.agentState ?? 'unknown');
  if (st === 'unknown') return <span className="agent agent-unknown">No agent yet</span>;
  return (
    <span className={`agent agent-${st}`} data-agent-state={st}>
      <span className="agent-dot" aria-hidden="true" />
      {st}
    </span>
  );
}
