import { useEffect, useState } from 'react';
import { formatClock } from '../../lib/format.js';
import type { DeliveryDetail, webhooksApi } from '../../lib/webhooks-api.js';

/** One delivery opened: when it retries next, every attempt (status, latency, the first KiB of the answer, error, its request headers), and the body as sent. */
export function DeliveryDetails({ id, api, version }: { id: string; api: ReturnType<typeof webhooksApi>; version: string }) {
  const [detail, setDetail] = useState<DeliveryDetail>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.delivery(id).then(setDetail, (e: Error) => setError(e.message));
  }, [api, id, version]);
  if (error) return <p className="health-bad small">{error}</p>;
  if (!detail) return <p className="muted small">Loading…</p>;
  let payload = detail.payload ?? '';
  try {
    payload = JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    /* shown as stored */
  }
  return (
    <div className="delivery-details" data-testid="delivery-details">
      <p className="small">
        webhook-id <code>{detail.webhookId}</code> ·{' '}
        <span data-testid="next-retry">
          {detail.status === 'pending' && detail.nextAttemptAt !== null ? `next attempt at ${formatClock(detail.nextAttemptAt)}` : `no retry (${detail.status})`}
        </span>
      </p>
      <table className="grid attempts">
        <thead>
          <tr>
            <th>Attempt</th>
            <th>Status</th>
            <th>Latency</th>
            <th>Response (first KiB)</th>
          </tr>
        </thead>
        <tbody>
          {detail.attemptLog.map((a, i) => (
            <tr key={i} data-attempt-status={a.statusCode ?? 'none'}>
              <td className="small">{formatClock(a.at)}</td>
              <td className={a.statusCode !== null && a.statusCode < 300 ? 'health-ok' : 'health-bad'}>{a.statusCode ?? 'no answer'}</td>
              <td className="small">{Math.round(a.latencyMs)} ms</td>
              <td className="small">
                <code className="response">{a.response}</code>
                {a.error && <div className="health-bad">{a.error}</div>}
                <details>
                  <summary className="small muted">Request headers</summary>
                  <pre className="request-headers" data-testid="request-headers">{requestHeaders(detail.webhookId, a.at)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail.attemptLog.length === 0 && <p className="empty small">No attempt yet.</p>}
      <details open>
        <summary className="small">Payload</summary>
        <pre className="payload" data-testid="payload">{payload}</pre>
      </details>
    </div>
  );
}

/**
 * The Standard Webhooks headers of an attempt, as the hub sent them: its message id and the
 * attempt's time. The signature is made per attempt with the endpoint's secret and not stored.
 */
const requestHeaders = (webhookId: string, at: number) =>
  [`content-type: application/json`, `webhook-id: ${webhookId}`, `webhook-timestamp: ${Math.floor(at)}`, `webhook-signature: v1,… (signed with the endpoint's secret; not stored)`].join('\n');
