import type { WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from '@showwire/protocol';
import { apiRequest } from './api.js';

/** The admin webhook API (hub/src/routes/webhooks.ts), as the webhooks page uses it. */
export const webhooksApi = (token: string | null) => ({
  endpoints: () => apiRequest<{ endpoints: WebhookEndpoint[] }>('/api/webhooks/endpoints', token).then((r) => r.endpoints),
  create: (url: string, description: string) =>
    apiRequest<WebhookEndpoint & { secret: string }>('/api/webhooks/endpoints', token, { method: 'POST', body: JSON.stringify({ url, description }) }),
  setEnabled: (id: string, enabled: boolean) => apiRequest<WebhookEndpoint>(`/api/webhooks/endpoints/${id}/${enabled ? 'enable' : 'disable'}`, token, { method: 'POST' }),
  test: (id: string) => apiRequest<unknown>(`/api/webhooks/endpoints/${id}/test`, token, { method: 'POST' }),
  deliveries: (q: { endpoint?: string; status?: WebhookDeliveryStatus; before?: string; limit?: number }) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
    return apiRequest<{ deliveries: WebhookDelivery[]; next: string | null }>(`/api/webhooks/deliveries?${p}`, token);
  },
  redeliver: (id: string) => apiRequest<WebhookDelivery>(`/api/webhooks/deliveries/${id}/redeliver`, token, { method: 'POST' }),
});

export type EndpointHealth = { kind: 'healthy' | 'failing' | 'disabled'; label: string };

/** One word for an endpoint's state, and why. */
export function endpointHealth(ep: WebhookEndpoint, now: number): EndpointHealth {
  if (!ep.enabled) return { kind: 'disabled', label: ep.disabledReason ? `Disabled (${ep.disabledReason})` : 'Disabled' };
  if (ep.failingSince !== null) return { kind: 'failing', label: `Failing for ${Math.max(1, Math.round((now - ep.failingSince) / 60))} min` };
  return { kind: 'healthy', label: 'Healthy' };
}
