import { useEffect, useState } from 'react';
import type { WebhookDelivery, WebhookEndpoint } from '@showwire/protocol';
import { formatClock } from '../../lib/format.js';
import { useHubNow } from '../../live/use-now.js';
import { breakerText, endpointHealth, endpointStats, type webhooksApi } from '../../lib/webhooks-api.js';

/** How many of an endpoint's newest deliveries its figures are taken from. */
const RECENT = 200;

/**
 * One endpoint opened: its health, success rate and next attempt from its newest deliveries, and
 * its circuit breaker as the hub reports it (open: nothing is attempted until the probe time).
 * Its deliveries, with their attempts, are the log below, filtered to it.
 */
export function EndpointPanel({ ep, api, version, onClose }: { ep: WebhookEndpoint; api: ReturnType<typeof webhooksApi>; version: number; onClose: () => void }) {
  const [recent, setRecent] = useState<WebhookDelivery[]>();
  useEffect(() => {
    api.deliveries({ endpoint: ep.id, limit: RECENT }).then((p) => setRecent(p.deliveries), () => setRecent([]));
  }, [api, ep.id, version]);
  // The browser's clock: the breaker's probe time and "next attempt" are said relative to it.
  const now = useHubNow(0);
  const health = endpointHealth(ep, now);
  const stats = recent && endpointStats(recent);
  const figure = (label: string, value: string, key: string) => (
    <div className="figure" data-figure={key}>
      <strong>{value}</strong>
      <span className="muted small">{label}</span>
    </div>
  );
  return (
    <section className="panel endpoint-panel" aria-labelledby="endpoint-h" data-testid="endpoint-panel" data-endpoint-id={ep.id}>
      <div className="panel-head">
        <h2 id="endpoint-h">
          <code>{ep.url}</code>
        </h2>
        <button type="button" className="btn-quiet" onClick={onClose}>
          Close
        </button>
      </div>
      {!stats ? (
        <p className="muted small">Loading…</p>
      ) : (
        <div className="figures">
          {figure('health', health.label, 'health')}
          {figure(`succeeded, of the last ${stats.finished} finished`, stats.successRate === null ? '—' : `${Math.round(stats.successRate * 100)} %`, 'success-rate')}
          {figure('pending', String(stats.pending), 'pending')}
          {figure('next attempt', stats.nextAttemptAt === null ? '—' : formatClock(stats.nextAttemptAt), 'next-attempt')}
          {figure('circuit breaker (this hub’s)', breakerText(ep, formatClock), 'breaker')}
        </div>
      )}
    </section>
  );
}
