import type { ConnectionState } from '../lib/connection.js';

const LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const HINT: Record<ConnectionState, string> = {
  connecting: 'Opening the live stream',
  live: 'Heartbeats arriving: what you see is current',
  reconnecting: 'The stream dropped; resuming from the last event received',
  offline: 'The hub cannot be reached; still retrying. What you see may be out of date',
};

/** The one place that says whether the page is current; `role=status` so screen readers hear changes. */
export function ConnectionBadge({ state }: { state: ConnectionState }) {
  return (
    <span className={`conn conn-${state}`} role="status" title={HINT[state]} data-connection={state}>
      <span className="conn-dot" aria-hidden="true" />
      {LABEL[state]}
    </span>
  );
}
