import { useEffect, useState } from 'react';
import type { RevenueByCurrency, ShowSummaryBody } from '@showwire/protocol';
import { apiRequest } from '../lib/api.js';
import { formatCount, formatDuration, formatMs, formatPrice } from '../lib/format.js';

/** Amounts per currency, one after another: never added across currencies. */
export const revenueText = (r: RevenueByCurrency) =>
  Object.keys(r).length ? Object.entries(r).sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => formatPrice(v, c)).join(' + ') : '—';

/**
 * The host's post-show screen: what `GET /api/shows/:showId/summary` answers the moment the show
 * ends. `version` (the show's last event id) refetches when late orders or alerts arrive.
 */
export function ShowSummary({ show, token, version }: { show: string; token: string | null; version?: string }) {
  const [summary, setSummary] = useState<ShowSummaryBody>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const abort = new AbortController();
    apiRequest<ShowSummaryBody>(`/api/shows/${encodeURIComponent(show)}/summary`, token, { signal: abort.signal }).then(setSummary, (e: Error) => {
      if (!abort.signal.aborted) setError(e.message);
    });
    return () => abort.abort();
  }, [show, token, version]);

  if (error) return <section className="panel summary" data-testid="summary-error">Summary unavailable: {error}</section>;
  if (!summary) return <section className="panel summary muted">Loading the summary…</section>;
  const s = summary;
  const figure = (label: string, value: string, key: string) => (
    <div className="figure" data-figure={key}>
      <span className="big">{value}</span>
      <span className="muted small">{label}</span>
    </div>
  );
  return (
    <section className="panel summary" aria-label="Show summary" data-testid="show-summary">
      <h2>Show summary</h2>
      <div className="figures">
        {figure('revenue', revenueText(s.orders.revenue), 'revenue')}
        {figure('orders', formatCount(s.orders.count), 'orders')}
        {figure('added to cart', formatCount(s.cart.adds), 'adds')}
        {figure('removed', formatCount(s.cart.removes), 'removes')}
        {figure('still reserved', formatCount(s.cart.reserved), 'reserved')}
        {figure('peak viewers', formatCount(s.viewers.peak), 'peak')}
        {figure('average viewers', s.viewers.average.toFixed(1), 'average')}
        {figure('duration', s.durationSeconds === null ? '—' : formatDuration(s.durationSeconds), 'duration')}
      </div>
      <table className="per-product" data-testid="per-product">
        <thead>
          <tr>
            <th>Product</th>
            <th>Adds</th>
            <th>Removes</th>
            <th>Ordered</th>
            <th>Revenue</th>
          </tr>
        </thead>
        <tbody>
          {s.perProduct.map((p) => (
            <tr key={p.productId} data-product={p.productId}>
              <td>{p.name ?? <code>{p.productId}</code>}</td>
              <td>{p.adds}</td>
              <td>{p.removes}</td>
              <td>{p.orders}</td>
              <td>{revenueText(p.revenue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="figures">
        {figure('agent turns', formatCount(s.agent.turns), 'turns')}
        {figure('tool calls', formatCount(s.agent.toolCalls), 'tool-calls')}
        {figure('tool failures', formatCount(s.agent.toolFailures), 'tool-failures')}
        {figure('latency p95', formatMs(s.agent.latencyP95Ms), 'p95')}
        {figure('alerts', formatCount(s.alerts.raised), 'alerts')}
        {figure('critical', formatCount(s.alerts.critical), 'critical')}
      </div>
    </section>
  );
}
