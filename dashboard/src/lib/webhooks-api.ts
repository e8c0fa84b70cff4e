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
  test: (id: string) => apiRequest<unknown>(`/api/webhooks/endpoints/${id}/test`, token, { method: 'POST' }),
  deliveries: (q: { endpoint?: string; status?: WebhookDeliveryStatus; before?: string; limit?: number }) => {
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
