import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEndpointUpdateBody } from '@showwire/protocol';
import { apiRequest } from './api.js';

/** The admin webhook API (hub/src/routes/webhooks.ts), as the webhooks page uses it. */
export const webhooksApi = (token: string | null) => ({
  endpoints: () => apiRequest<{ endpoints: WebhookEndpoint[] }>('/api/webhooks/endpoints', token).then((r) => r.endpoints),
  create: (url: string, description: string, filters: { types?: string[] | null; shows?: string[] | null } = {}) =>
    apiRequest<WebhookEndpoint & { secret: string }>('/api/webhooks/endpoints', token, { method: 'POST', body: JSON.stringify({ url, description, ...filters }) }),
  update: (id: string, body: WebhookEndpointUpdateBody) => apiRequest<WebhookEndpoint>(`/api/webhooks/endpoints/${id}`, token, { method: 'PATCH', body: JSON.stringify(body) }),
  remove: (id: string) => apiRequest<void>(`/api/webhooks/endpoints/${id}`, token, { method: 'DELETE' }),
  secret: (id: string) => apiRequest<{ secret: string }>(`/api/webhooks/endpoints/${id}/secret`, token).then((r) => r.secret),
  rotate: (id: string) =>
    apiRequest<{ secret: string; previousSecretValidUntil: number | null }>(`/api/webhooks/endpoints/${id}/rotate-secret`, token, { method: 'POST', body: '{}' }),
  recover: (id: string, since: number) => apiRequest<{ requeued?: number }>(`/api/webhooks/endpoints/${id}/recover`, token, { method: 'POST', body: JSON.stringify({ since }) }),
  delivery: (id: string) => apiRequest<DeliveryDetail>(`/api/webhooks/deliveries/${id}`, token),
  setEnabled: (id: string, enabled: boolean) => apiRequest<WebhookEndpoint>(`/api/webhooks/endpoints/${id}/${enabled ? 'enable' : 'disable'}`, token, { method: 'POST' }),
  test: (id: string) => apiRequest<WebhookDelivery>(`/api/webhooks/endpoints/${id}/test`, token, { method: 'POST' }),
  deliveries: (q: DeliveryFilter & { before?: string; limit?: number }) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
    return apiRequest<{ deliveries: WebhookDelivery[]; next: string | null }>(`/api/webhooks/deliveries?${p}`, token);
  },
  redeliver: (id: string) => apiRequest<WebhookDelivery>(`/api/webhooks/deliveries/${id}/redeliver`, token, { method: 'POST' }),
});

/** `GET /api/webhooks/deliveries/:id`: the delivery, every attempt, and the body as sent. */
export type DeliveryDetail = WebhookDelivery & { attemptLog: WebhookAttempt[]; payload: string | null };

/** `a, b,c` → ['a', 'b', 'c']; empty → null (all). */
export const filterList = (text: string): string[] | null => {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : null;
};

export type EndpointHealth = { kind: 'healthy' | 'failing' | 'disabled'; label: string };

/** One word for an endpoint's state, and why. */
export function endpointHealth(ep: WebhookEndpoint, now: number): EndpointHealth {
  if (!ep.enabled) return { kind: 'disabled', label: ep.disabledReason ? `Disabled (${ep.disabledReason})` : 'Disabled' };
  if (ep.failingSince !== null) return { kind: 'failing', label: `Failing for ${Math.max(1, Math.round((now - ep.failingSince) / 60))} min` };
  return { kind: 'healthy', label: 'Healthy' };
}

/**
 * The endpoint's circuit breaker as the hub that answered knows it (each hub keeps its own):
 * open says when its probe goes, and while open no attempt is made, so pending deliveries wait.
 */
export function breakerText(ep: WebhookEndpoint, clock: (epochSeconds: number) => string): string {
  if (!ep.enabled) return 'stopped (disabled)';
  const { state, nextProbeAt, consecutiveFailures: n } = ep.breaker;
  const streak = n > 0 ? ` · ${n} failed in a row` : '';
  if (state === 'open') return `open, next probe at ${nextProbeAt === null ? 'any moment' : clock(nextProbeAt)}${streak}`;
  if (state === 'half-open') return `half-open: one probe decides${streak}`;
  return `closed${streak}`;
}

/** The delivery log's filters, as the hub's `GET /api/webhooks/deliveries` takes them; '' or absent is "all". */
export interface DeliveryFilter {
  endpoint?: string;
  status?: WebhookDeliveryStatus | '';
  type?: string;
  show?: string;
  webhookId?: string;
}

const newestFirst = (a: WebhookDelivery, b: WebhookDelivery) => (b.id.length - a.id.length) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * A refresh's newest page folded into what is loaded: new rows join at the top, rows seen again
 * take their fresh state, and the older rows "Load older" fetched stay where they are.
 */
export function mergeDeliveries(loaded: readonly WebhookDelivery[], fresh: readonly WebhookDelivery[]): WebhookDelivery[] {
  const byId = new Map(loaded.map((d) => [d.id, d]));
  for (const d of fresh) byId.set(d.id, d);
  return [...byId.values()].sort(newestFirst);
}

export interface EndpointStats {
  /** Finished deliveries that succeeded, of those finished (null before any finished). */
  successRate: number | null;
  finished: number;
  pending: number;
  /** The soonest next attempt of a pending delivery (epoch seconds), if any. */
  nextAttemptAt: number | null;
}

/** An endpoint's figures from its recent deliveries. */
export function endpointStats(deliveries: readonly WebhookDelivery[]): EndpointStats {
  const finished = deliveries.filter((d) => d.status !== 'pending');
  const pending = deliveries.filter((d) => d.status === 'pending');
  const next = pending.map((d) => d.nextAttemptAt).filter((t): t is number => t !== null);
  return {
    successRate: finished.length ? finished.filter((d) => d.status === 'succeeded').length / finished.length : null,
    finished: finished.length,
    pending: pending.length,
    nextAttemptAt: next.length ? Math.min(...next) : null,
  };
}
