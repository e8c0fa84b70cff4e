import { useState } from 'react';
import type { AlertSeverity, OpenAlert } from '@showwire/protocol';
import { ApiError } from '../lib/api.js';
import { formatClock, formatDuration } from '../lib/format.js';
import { Link, showPath } from '../lib/router.js';
import { ackAlert } from '../lib/supervision-api.js';
import { liveAlertMessage, ruleLabel } from '../lib/trouble.js';

export type ListedAlert = OpenAlert & { show: string; title?: string };

/**
 * Open alerts, most urgent first, each with who acknowledged it (seen by everyone: the ack is an
 * event) or a one-click Acknowledge; each links to its moment in the show (the raise's event id).
 */
export function AlertList({ alerts, token, now, showNames = true }: { alerts: ListedAlert[]; token: string | null; now: number; showNames?: boolean }) {
  const [severity, setSeverity] = useState<AlertSeverity | 'all'>('all');
  const [failed, setFailed] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const shown = severity === 'all' ? alerts : alerts.filter((a) => a.severity === severity);
  const ack = async (a: ListedAlert) => {
    setPending((p) => ({ ...p, [a.alertId]: true }));
    try {
      await ackAlert(token, a.show, a.alertId);
    } catch (e) {
      // 409: someone else was first; the stream brings who, so that is not an error worth showing.
      if (!(e instanceof ApiError && e.status === 409)) setFailed((f) => ({ ...f, [a.alertId]: (e as Error).message }));
    } finally {
      setPending((p) => ({ ...p, [a.alertId]: false }));
    }
  };
  return (
    <section className="panel alerts" aria-labelledby="alerts-h" data-testid="alerts">
      <div className="panel-head">
        <h2 id="alerts-h">Open alerts</h2>
        <label className="small">
          <span className="sr-only">Severity</span>
          <select value={severity} onChange={(e) => setSeverity(e.target.value as AlertSeverity | 'all')} aria-label="Filter alerts by severity">
            <option value="all">All ({alerts.length})</option>
            <option value="critical">Critical</option>
            <option value="warning">Warning</option>
            <option value="info">Info</option>
          </select>
        </label>
      </div>
      {shown.length === 0 ? (
        <p className="empty">No open alerts.</p>
      ) : (
        <ul className="alert-list">
          {shown.map((a) => (
            <li key={`${a.show}/${a.alertId}`} className={`alert alert-${a.severity}`} data-alert={a.alertId} data-rule={a.rule} data-severity={a.severity}>
              <div className="alert-head">
                <span className={`sev sev-${a.severity}`}>{a.severity}</span>
                <strong>{ruleLabel(a.rule)}</strong>
                {showNames && (
                  <Link href={showPath(a.show)} className="alert-show">
                    {a.title || a.show} <code className="muted small">{a.show}</code>
                  </Link>
                )}
                <Link href={`${showPath(a.show)}#e${a.id}`} className="small" data-moment-link title="The moment in the show's transcript">
                  at {formatClock(a.raisedAt)}
                </Link>
                <span className="muted small">open {formatDuration(now - a.raisedAt)}</span>
              </div>
              <p className="alert-msg" data-alert-message>
                {liveAlertMessage(a, now)}
              </p>
              {a.acknowledged ? (
                <p className="small muted" data-acked-by={a.acknowledged.by}>
                  Acknowledged by <strong>{a.acknowledged.by}</strong> at {formatClock(a.acknowledged.at)}
                </p>
              ) : (
                <button type="button" className="btn btn-small" disabled={pending[a.alertId]} onClick={() => void ack(a)} data-ack={a.alertId}>
                  Acknowledge
                </button>
              )}
              {failed[a.alertId] && <p className="small error">{failed[a.alertId]}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
