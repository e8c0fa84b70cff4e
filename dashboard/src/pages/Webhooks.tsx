import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import type { WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from '@showwire/protocol';
import { Header, Notice } from '../components/Header.js';
import type { PageProps } from '../lib/auth.js';
import { formatClock } from '../lib/format.js';
import { ApiError } from '../lib/api.js';
import { Link } from '../lib/router.js';
import { endpointHealth, webhooksApi } from '../lib/webhooks-api.js';
import { DeliveryDetails } from '../components/webhooks/DeliveryDetails.js';
import { EndpointActions } from '../components/webhooks/EndpointActions.js';
import { EndpointForm } from '../components/webhooks/EndpointForm.js';

/** The delivery log is polled: it changes at the worker's pace, and this page is for the few admins. */
const REFRESH_MS = 5000;

export function Webhooks({ token, claims, onSignOut, onUnauthorized }: PageProps) {
  const api = useMemo(() => webhooksApi(token), [token]);
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>([]);
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [endpoint, setEndpoint] = useState('');
  const [status, setStatus] = useState<WebhookDeliveryStatus | ''>('');
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();
  /** The delivery whose attempts and payload are open. */
  const [open, setOpen] = useState<string>();

  const refresh = useCallback(async () => {
    try {
      const [eps, page] = await Promise.all([api.endpoints(), api.deliveries({ ...(endpoint && { endpoint }), ...(status && { status }), limit: 50 })]);
      setEndpoints(eps);
      setDeliveries(page.deliveries);
      setNext(page.next);
      setError(undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && onUnauthorized) return onUnauthorized();
      setError((e as Error).message);
    }
  }, [api, endpoint, status, onUnauthorized]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- polls the hub: the first load at once, then every REFRESH_MS
    void refresh();
    const t = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(t);
  }, [refresh]);

  const act = async <T,>(what: () => Promise<T>, done: string | ((result: T) => string)): Promise<boolean> => {
    try {
      const result = await what();
      setMessage(typeof done === 'string' ? done : done(result));
      setError(undefined);
      await refresh();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };

  const more = async () => {
    if (!next) return;
    const page = await api.deliveries({ ...(endpoint && { endpoint }), ...(status && { status }), before: next, limit: 50 });
    setDeliveries((d) => [...d, ...page.deliveries]);
    setNext(page.next);
  };

  // eslint-disable-next-line react-hooks/purity -- ages are shown against the clock of each poll's render, on purpose
  const now = Date.now() / 1000;
  return (
    <>
      <Header claims={claims} onSignOut={onSignOut}>
        <h1 className="sr-only">Webhooks</h1>
      </Header>
      <main className="webhooks" data-testid="webhooks">
        {error && <Notice kind="error">{error}</Notice>}
        {message && <Notice>{message}</Notice>}
        <section className="panel" aria-labelledby="ep-h">
          <div className="panel-head">
            <h2 id="ep-h">Endpoints</h2>
            <span className="muted small">{endpoints.length}</span>
          </div>
          <p className="small muted">
            Every event type, its fields and an example: <Link href="/events">event catalog</Link> · the API: <a href="/docs">/docs</a>
          </p>
          <EndpointForm
            submitLabel="Add endpoint"
            onSubmit={(f) => act(() => api.create(f.url, f.description, { types: f.types, shows: f.shows }), (ep) => `Endpoint created. Its signing secret (also under “Reveal secret”): ${ep.secret}`)}
          />
          <div className="table-wrap">
            <table className="grid">
              <Head columns={['URL', 'Health', 'Filters']} />
              <tbody>
                {endpoints.map((ep) => {
                  const h = endpointHealth(ep, now);
                  return (
                    <tr key={ep.id} data-endpoint={ep.id} data-health={h.kind}>
                      <td>
                        <code>{ep.url}</code>
                        {ep.description && <div className="muted small">{ep.description}</div>}
                      </td>
                      <td className={`health-${h.kind === 'healthy' ? 'ok' : h.kind === 'failing' ? 'bad' : 'off'}`}>{h.label}</td>
                      <td className="small muted">
                        {ep.types ? ep.types.join(', ') : 'all types'} · {ep.shows ? ep.shows.join(', ') : 'all shows'}
                      </td>
                      <td className="row-actions">
                        <EndpointActions ep={ep} api={api} act={act} />
                        <button type="button" className="btn-quiet" onClick={() => void act(() => api.test(ep.id), 'Test message queued')}>
                          Send test
                        </button>{' '}
                        <button type="button" className="btn-quiet" onClick={() => void act(() => api.setEnabled(ep.id, !ep.enabled), ep.enabled ? 'Disabled' : 'Enabled')}>
                          {ep.enabled ? 'Disable' : 'Enable'}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>

        <section className="panel" aria-labelledby="dl-h">
          <div className="panel-head">
            <h2 id="dl-h">Delivery log</h2>
            <label className="small">
              Endpoint{' '}
              <select value={endpoint} onChange={(e) => setEndpoint(e.target.value)}>
                <option value="">All</option>
                {endpoints.map((ep) => (
                  <option key={ep.id} value={ep.id}>
                    {ep.url}
                  </option>
                ))}
              </select>
            </label>
            <label className="small">
              Status{' '}
              <select value={status} onChange={(e) => setStatus(e.target.value as WebhookDeliveryStatus | '')}>
                <option value="">All</option>
                <option value="pending">Pending</option>
                <option value="succeeded">Succeeded</option>
                <option value="failed">Failed</option>
              </select>
            </label>
          </div>
          <div className="table-wrap">
            <table className="grid">
              <Head columns={['Created', 'Event', 'Endpoint', 'Status', 'Attempts', 'Last answer']} />
              <tbody>
                {deliveries.map((d) => (
                  <Fragment key={d.id}>
                    <tr data-delivery={d.id} data-status={d.status} data-attempts={d.attempts}>
                      <td className="small">{formatClock(d.createdAt)}</td>
                      <td>
                        <code>{d.type}</code>
                        {d.show && <div className="muted small">{d.show}</div>}
                      </td>
                      <td className="small muted">{endpoints.find((e) => e.id === d.endpointId)?.url ?? d.endpointId}</td>
                      <td className={d.status === 'succeeded' ? 'health-ok' : d.status === 'failed' ? 'health-bad' : 'health-off'}>{d.status}</td>
                      <td>{d.attempts}</td>
                      <td className="small">{d.lastStatusCode ?? d.lastError ?? '—'}</td>
                      <td>
                        <button type="button" className="btn-quiet" onClick={() => setOpen(open === d.id ? undefined : d.id)}>
                          {open === d.id ? 'Close' : 'Attempts'}
                        </button>{' '}
                        <button type="button" className="btn-quiet" onClick={() => void act(() => api.redeliver(d.id), `Delivery ${d.id} queued again`)}>
                          Redeliver
                        </button>
                      </td>
                    </tr>
                    {open === d.id && (
                      <tr className="details-row">
                        <td colSpan={7}>
                          <DeliveryDetails id={d.id} api={api} version={`${d.status}:${d.attempts}`} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
            {deliveries.length === 0 && <p className="empty">No deliveries yet.</p>}
          </div>
          {next && (
            <button type="button" className="btn-quiet load-more" onClick={() => void more()}>
              Load older
            </button>
          )}
        </section>
      </main>
    </>
  );
}

/** Column headings, and a last one for the row's buttons that only screen readers name. */
function Head({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c}>{c}</th>
        ))}
        <th>
          <span className="sr-only">Actions</span>
        </th>
      </tr>
    </thead>
  );
}
