import { useState } from 'react';
import { AlertList, type ListedAlert } from '../AlertList.js';

/**
 * The wall's open alerts beside the shows, never above them: a rail on a wide screen, and on a
 * phone a drawer behind one button that says how many are open (Escape closes it).
 */
export function AlertRail({ alerts, token, now }: { alerts: ListedAlert[]; token: string | null; now: number }) {
  const [open, setOpen] = useState(false);
  const critical = alerts.filter((a) => a.severity === 'critical').length;
  return (
    <aside className={`alert-rail${open ? ' open' : ''}`} aria-label="Open alerts" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button type="button" className="btn-quiet rail-toggle" aria-expanded={open} onClick={() => setOpen(!open)} data-alert-drawer>
        Alerts <strong>{alerts.length}</strong>
        {critical > 0 && <span className="sev sev-critical">{critical} critical</span>}
      </button>
      <div className="rail-body">
        {alerts.length > 0 ? <AlertList alerts={alerts} token={token} now={now} /> : <p className="empty small">No open alerts.</p>}
      </div>
    </aside>
  );
}
