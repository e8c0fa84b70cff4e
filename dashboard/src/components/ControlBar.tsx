import type { ControlBody, ShowCapabilities } from '@showwire/protocol';
import type { Claims } from '../lib/auth.js';
import { ControlNotes } from './ControlNotes.js';
import { useControl } from '../live/use-control.js';
import { blockedText } from '../live/use-show-capabilities.js';

type Action = ControlBody['action'];

const BUTTONS: Array<{ action: Exclude<Action, 'say'>; label: string; confirm?: string; staffOnly?: boolean }> = [
  { action: 'pause', label: 'Pause agent' },
  { action: 'resume', label: 'Resume agent' },
  { action: 'end_agent', label: 'End agent', confirm: 'End the agent’s session? It leaves the room until it is re-dispatched.', staffOnly: true },
  { action: 'redispatch', label: 'Re-dispatch agent', confirm: 'Replace the agent with a freshly dispatched one?', staffOnly: true },
  { action: 'end_show', label: 'End show', confirm: 'End the show for everyone? The room is closed.', staffOnly: true },
];

/**
 * Acting on the show's agent (docs/supervision.md, Controls): staff and admin have every action, a host
 * its own show's say, pause and resume. Destructive actions ask first. Every call is audited by
 * the hub as a `control` event, which the action feed shows to everyone watching. A control the
 * hub says cannot work now (`capabilities`: the show ended, LiveKit is not configured) is shown
 * disabled, with the reason beside it; none is enabled before the hub has answered.
 */
export function ControlBar({ show, token, claims, capabilities }: { show: string; token: string | null; claims: Claims | undefined; capabilities: ShowCapabilities | undefined }) {
  const staff = !claims || claims.role === 'staff' || claims.role === 'admin';
  const { text, setText, busy, outcome, run, say } = useControl(show, token);
  if (!staff && claims?.role !== 'host') return null;
  const can = (a: Action) => capabilities?.actions.includes(a) === true;
  const blocked = capabilities && capabilities.actions.length === 0 ? blockedText(capabilities.controlsBlocked, 'controls') : undefined;

  return (
    <section className="panel controls" aria-label="Agent controls" data-testid="controls">
      <form className="say" onSubmit={say}>
        <label className="sr-only" htmlFor="say-text">
          Line for the agent to say
        </label>
        <input id="say-text" type="text" maxLength={2000} disabled={!can('say')} placeholder="Make the agent say…" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="btn" disabled={!can('say') || !text.trim() || busy !== undefined} data-control="say">
          Say
        </button>
      </form>
      <div className="control-buttons">
        {BUTTONS.filter((b) => staff || !b.staffOnly).map((b) => (
          <button
            key={b.action}
            type="button"
            className={`btn-quiet${b.confirm ? ' btn-danger' : ''}`}
            disabled={!can(b.action) || busy !== undefined}
            data-control={b.action}
            onClick={() => void run({ action: b.action }, b.confirm)}
          >
            {b.label}
          </button>
        ))}
      </div>
      <ControlNotes blocked={blocked} reason={capabilities?.controlsBlocked} outcome={outcome} />
    </section>
  );
}
