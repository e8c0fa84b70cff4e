import { useState } from 'react';
import type { WebhookEndpoint } from '@showwire/protocol';
import type { webhooksApi } from '../../lib/webhooks-api.js';
import { EndpointForm } from './EndpointForm.js';
import { formatClock } from '../../lib/format.js';
import { MenuItem, RowMenu } from './RowMenu.js';

type Api = ReturnType<typeof webhooksApi>;
type Act = <T>(what: () => Promise<T>, done: string | ((result: T) => string)) => Promise<boolean>;

/**
 * What an integrator does to one endpoint, in its row's menu: edit its URL and filters, send a
 * test, reveal its signing secret (Svix's app portal keeps it one click away, not in a toast),
 * re-queue its failures since a time, disable it; rotating the secret and deleting come last, marked.
 */
export function EndpointActions({ ep, api, act, onTest }: { ep: WebhookEndpoint; api: Api; act: Act; onTest: () => void }) {
  const [mode, setMode] = useState<'edit' | 'recover' | undefined>();
  const [secret, setSecret] = useState<string>();
  // datetime-local holds local wall-clock time: an hour ago, shifted by the zone offset before formatting.
  const [since, setSince] = useState(() => new Date(Date.now() - 3600_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16));

  return (
    <div className="endpoint-actions">
      <RowMenu label={`Actions for ${ep.url}`}>
        <MenuItem onClick={() => setMode(mode === 'edit' ? undefined : 'edit')}>Edit</MenuItem>
        <MenuItem onClick={onTest}>Send test</MenuItem>
        <MenuItem onClick={() => void act(() => api.secret(ep.id).then(setSecret), 'Secret revealed')}>Reveal secret</MenuItem>
        <MenuItem onClick={() => setMode(mode === 'recover' ? undefined : 'recover')}>Recover…</MenuItem>
        <MenuItem onClick={() => void act(() => api.setEnabled(ep.id, !ep.enabled), ep.enabled ? 'Disabled' : 'Enabled')}>{ep.enabled ? 'Disable' : 'Enable'}</MenuItem>
        <MenuItem
          danger
          onClick={() =>
            void act(
              () => api.rotate(ep.id).then((r) => (setSecret(r.secret), r)),
              (r) => `Secret rotated; the old one keeps signing until ${r.previousSecretValidUntil ? formatClock(r.previousSecretValidUntil) : 'now'}`,
            )
          }
        >
          Rotate secret
        </MenuItem>
        <MenuItem
          danger
          onClick={() => {
            if (confirm(`Delete the endpoint ${ep.url}? Its deliveries stop.`)) void act(() => api.remove(ep.id), 'Endpoint deleted');
          }}
        >
          Delete endpoint
        </MenuItem>
      </RowMenu>
      {secret && (
        <div className="secret small">
          Signing secret: <code data-testid="endpoint-secret">{secret}</code>{' '}
          <button type="button" className="btn-quiet" onClick={() => setSecret(undefined)}>
            Hide
          </button>
        </div>
      )}
      {mode === 'edit' && (
        <EndpointForm
          initial={ep}
          submitLabel="Save"
          onCancel={() => setMode(undefined)}
          onSubmit={async (f) => {
            const ok = await act(() => api.update(ep.id, f), 'Endpoint saved');
            if (ok) setMode(undefined);
            return ok;
          }}
        />
      )}
      {mode === 'recover' && (
        <form
          className="recover small"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => api.recover(ep.id, Date.parse(since) / 1000), (r) => `${r.requeued ?? 0} failed deliveries queued again`).then((ok) => ok && setMode(undefined));
          }}
        >
          <label>
            Resend failures since <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} required />
          </label>{' '}
          <button type="submit" className="btn-quiet">
            Recover
          </button>
        </form>
      )}
    </div>
  );
}
