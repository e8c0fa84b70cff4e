import type { ReactNode } from 'react';
import { agentStatus, type ControlBody, type ShowState } from '@showwire/protocol';
import { ControlNotes } from '../components/ControlNotes.js';
import { useControl } from '../live/use-control.js';
import type { ShowAccess } from '../live/use-show-capabilities.js';
import { agentPaused, hostControlsBlocked } from './agent-controls.js';

/** A host's press, in words once the hub took it. */
const DONE = (action: ControlBody['action']) => (action === 'say' ? 'The agent will say it.' : action === 'pause' ? 'Paused: the agent stops answering.' : 'Resumed: the agent answers again.');

/**
 * The host's hold on the agent, big enough for a thumb (every target ≥ 44 px): where the agent
 * is, in large type, and say, pause and resume. What cannot work now is disabled, with the reason
 * beside it; each press's outcome is said (the hub audits it as a `control` event too).
 */
export function AgentBar({ show, token, state, access, agentPresent, children }: { show: string; token: string | null; state: ShowState; access: ShowAccess; agentPresent: boolean; children?: ReactNode }) {
  const { text, setText, busy, outcome, run, say } = useControl(show, token, DONE);
  const status = agentStatus(state);
  const paused = agentPresent && agentPaused(state);
  const blocked = hostControlsBlocked(access, agentPresent);
  const off = blocked !== undefined || busy !== undefined;

  return (
    <section className="panel agent-bar" aria-label="Your voice agent" data-testid="agent-bar" data-paused={String(paused)}>
      <div className="agent-bar-status">
        <span className={`agent agent-${status.kind} agent-big`} data-testid="agent-status" data-agent-status={status.kind}>
          {status.label}
        </span>
        {paused && (
          <span className="badge agent-paused" data-testid="agent-paused">
            Paused
          </span>
        )}
        {children}
      </div>
      <div className="agent-bar-buttons">
        <button type="button" className="studio-btn" data-control="pause" disabled={off || paused} onClick={() => void run({ action: 'pause' })}>
          Pause agent
        </button>
        <button type="button" className="studio-btn" data-control="resume" disabled={off || !paused} onClick={() => void run({ action: 'resume' })}>
          Resume agent
        </button>
      </div>
      <form className="agent-bar-say" onSubmit={say}>
        <label className="sr-only" htmlFor="studio-say">
          Line for the agent to say
        </label>
        <input id="studio-say" type="text" maxLength={2000} disabled={blocked !== undefined} placeholder="Make the agent say…" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="studio-btn" data-control="say" disabled={off || !text.trim()}>
          Say
        </button>
      </form>
      <ControlNotes blocked={blocked?.text} reason={blocked?.reason} outcome={outcome} />
    </section>
  );
}
