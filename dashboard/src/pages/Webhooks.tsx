import { Fragment, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { WebhookDelivery, WebhookEndpoint } from '@showwire/protocol';
import { Header, Notice } from '../components/Header.js';
import type { PageProps } from '../lib/auth.js';
import { formatClock, formatMs } from '../lib/format.js';
import { ApiError } from '../lib/api.js';
import { Link } from '../lib/router.js';
import { useHubNow } from '../live/use-now.js';
import { endpointHealth, mergeDeliveries, webhooksApi, type DeliveryFilter } from '../lib/webhooks-api.js';
import { DeliveryDetails } from '../components/webhooks/DeliveryDetails.js';
import { DeliveryFilters } from '../components/webhooks/DeliveryFilters.js';
import { EndpointActions } from '../components/webhooks/EndpointActions.js';
import { EndpointForm } from '../components/webhooks/EndpointForm.js';
import { EndpointPanel } from '../components/webhooks/EndpointPanel.js';
import { MenuItem, RowMenu } from '../components/webhooks/RowMenu.js';

/** The delivery log is polled: it changes at the worker's pace, and this page is for the few admins. */
const REFRESH_MS = 5000;
const PAGE = 50;
/** How long "Send test" waits for the test's first attempt to land. */
const TEST_WAIT_MS = 30_000;

type Result = { kind: 'info' | 'error'; text: string; test?: 'succeeded' | 'failed' | 'pending' };

export function Webhooks({ token, claims, onSignOut, onUnauthorized }: PageProps) {
  const api = useMemo(() => webhooksApi(token), [token]);
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>([]);
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  /** Where "Load older" goes on; set by the first page and by each older page, never by a refresh. */
  const [older, setOlder] = useState<string | null>(null);
  const [filter, setFilter] = useState<DeliveryFilter>({});
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<Result>();
  const [open, setOpen] = useState<string>();
  const [endpointOpen, setEndpointOpen] = useState<string>();
  const [version, setVersion] = useState(0);
  const mounted = useRef(true);
  /** The filter now: a refresh that answers after the filter changed is dropped, not merged. */
  const current = useRef(filter);
  useEffect(() => {
    current.current = filter;
  }, [filter]);
  useEffect(() => () => void (mounted.current = false), []);
  // A new filter starts the log afresh (set while rendering, so no render shows the old rows under it).
  const [loadedFor, setLoadedFor] = useState(filter);
  if (loadedFor !== filter) {
    setLoadedFor(filter);
    setDeliveries([]);
    setOlder(null);
  }

  const fail = useCallback(
    (e: unknown) => {
      if (e instanceof ApiError && e.status === 401 && onUnauthorized) return onUnauthorized();
      setError((e as Error).message);
    },
    [onUnauthorized],
  );

  // The new filter's first page; a refresh only folds the newest page into what is loaded.
  useEffect(() => {
    let live = true;
    api.deliveries({ ...filter, limit: PAGE }).then((page) => {
      if (!live) return;
      setDeliveries(page.deliveries);
      setOlder(page.next);
    }, fail);
    return () => void (live = false);
  }, [api, filter, fail]);

  const refresh = useCallback(async () => {
    try {
      const [eps, page] = await Promise.all([api.endpoints(), api.deliveries({ ...filter, limit: PAGE })]);
      setEndpoints(eps);
      if (current.current !== filter) return;
      setDeliveries((loaded) => mergeDeliveries(loaded, page.deliveries));
      setVersion((v) => v + 1);
      setError(undefined);
    } catch (e) {
      fail(e);
    }
  }, [api, filter, fail]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- refresh sets state only once the hub has answered (after its await), never synchronously
    void refresh();
    const t = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(t);
  }, [refresh]);

  const act = async <T,>(what: () => Promise<T>, done: string | ((result: T) => string)): Promise<boolean> => {
    try {
      const result = await what();
      setMessage({ kind: 'info', text: typeof done === 'string' ? done : done(result) });
      setError(undefined);
      await refresh();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };

  /** "Send test": queue it, then wait for its first attempt and say how it went. */
  const sendTest = async (ep: WebhookEndpoint) => {
    try {
      const queued = await api.test(ep.id);
      setMessage({ kind: 'info', text: `Test message ${queued.id} queued for ${ep.url}; waiting for its attempt…`, test: 'pending' });
      void refresh();
      const deadline = Date.now() + TEST_WAIT_MS;
      while (mounted.current && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        const d = await api.delivery(queued.id);
        const attempt = d.attemptLog.at(-1);
        if (!attempt) continue;
        const ok = attempt.statusCode !== null && attempt.statusCode < 300;
        const answer = attempt.statusCode !== null ? `answered ${attempt.statusCode} in ${formatMs(attempt.latencyMs)}` : `no answer (${attempt.error ?? 'unknown error'})`;
        setMessage({ kind: ok ? 'info' : 'error', text: `Test message ${queued.id} to ${ep.url}: ${answer}${ok ? '' : `; ${d.status === 'pending' && d.nextAttemptAt ? `next attempt at ${formatClock(d.nextAttemptAt)}` : d.status}`}`, test: ok ? 'succeeded' : 'failed' });
        void refresh();
        return;
      }
      if (mounted.current) setMessage({ kind: 'error', text: `Test message ${queued.id}: no attempt within ${TEST_WAIT_MS / 1000} s (is the endpoint held back?)`, test: 'pending' });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const more = async () => {
    if (!older) return;
    try {
      const page = await api.deliveries({ ...filter, before: older, limit: PAGE });
      setDeliveries((d) => mergeDeliveries(d, page.deliveries));
      setOlder(page.next);
    } catch (e) {
      fail(e);
    }
  };

  const now = useHubNow(0, REFRESH_MS);
  const shownEndpoint = endpoints.find((e) => e.id === endpointOpen);
  const openEndpoint = (id: string) => {
    setEndpointOpen(id);
    setFilter((f) => ({ ...f, endpoint: id }));
  };
  return (
    <>
      <Header claims={claims} onSignOut={onSignOut}>
        <h1 className="sr-only">Webhooks</h1>
      </Header>
      <main className="webhooks" data-testid="webhooks">
        {error && <Notice kind="error">{error}</Notice>}
        {message && (
          <div data-test-result={message.test} data-testid="webhooks-message">
            <Notice kind={message.kind}>{message.text}</Notice>
          </div>
        )}
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
                        <button type="button" className="link-button" onClick={() => openEndpoint(ep.id)} data-open-endpoint>
                          <code>{ep.url}</code>
                        </button>
                        {ep.description && <div className="muted small">{ep.description}</div>}
                      </td>
                      <td className={`health-${h.kind === 'healthy' ? 'ok' : h.kind === 'failing' ? 'bad' : 'off'}`}>{h.label}</td>
                      <td className="small muted">
                        {ep.types ? ep.types.join(', ') : 'all types'} · {ep.shows ? ep.shows.join(', ') : 'all shows'}
                      </td>
                      <td className="row-actions">
                        <EndpointActions ep={ep} api={api} act={act} onTest={() => void sendTest(ep)} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>

        {shownEndpoint && <EndpointPanel ep={shownEndpoint} api={api} version={version} onClose={() => setEndpointOpen(undefined)} />}

        <section className="panel" aria-labelledby="dl-h">
          <div className="panel-head">
            <h2 id="dl-h">Delivery log</h2>
            <span className="muted small" data-loaded={deliveries.length}>
              {deliveries.length} loaded
            </span>
          </div>
          <DeliveryFilters endpoints={endpoints} value={filter} onChange={setFilter} />
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
                        <div className="muted small">
                          <code>{d.webhookId}</code>
                        </div>
                      </td>
                      <td className="small muted">{endpoints.find((e) => e.id === d.endpointId)?.url ?? d.endpointId}</td>
                      <td className={d.status === 'succeeded' ? 'health-ok' : d.status === 'failed' ? 'health-bad' : 'health-off'}>
                        {d.status}
                        {d.status === 'pending' && d.nextAttemptAt !== null && <div className="small muted">next {formatClock(d.nextAttemptAt)}</div>}
                      </td>
                      <td>{d.attempts}</td>
                      <td className="small">{d.lastStatusCode ?? d.lastError ?? '—'}</td>
                      <td className="row-actions">
                        <button type="button" className="btn-quiet" onClick={() => setOpen(open === d.id ? undefined : d.id)}>
                          {open === d.id ? 'Close' : 'Attempts'}
                        </button>{' '}
                        <RowMenu label={`Actions for delivery ${d.id}`}>
                          <MenuItem onClick={() => void act(() => api.redeliver(d.id), `Delivery ${d.id} queued again`)}>Redeliver</MenuItem>
                          <MenuItem onClick={() => setFilter({ webhookId: d.webhookId })}>Only this message</MenuItem>
                          {d.show && <MenuItem onClick={() => setFilter((f) => ({ ...f, show: d.show! }))}>Only this show</MenuItem>}
                        </RowMenu>
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
            {deliveries.length === 0 && <p className="empty">No deliveries{Object.values(filter).some(Boolean) ? ' match these filters' : ' yet'}.</p>}
          </div>
          {older && (
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
