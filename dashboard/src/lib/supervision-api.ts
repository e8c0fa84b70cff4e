import type { ControlBody, ControlResponse, ListenResponse, PresenceNotice, RefreshResponse } from '@showwire/protocol';
import { apiRequest, type Fetch } from './api.js';

/** The hub's supervision routes (docs/supervision.md), as the pages call them. */

const show = (s: string) => `/api/shows/${encodeURIComponent(s)}`;

export const ackAlert = (token: string | null, s: string, alertId: string) =>
  apiRequest<{ alertId: string; by: string; id: string }>(`${show(s)}/alerts/${encodeURIComponent(alertId)}/ack`, token, { method: 'POST' });

export const sendControl = (token: string | null, s: string, body: ControlBody) =>
  apiRequest<ControlResponse>(`${show(s)}/control`, token, { method: 'POST', body: JSON.stringify(body) });

export const listenToken = (token: string | null, s: string) => apiRequest<ListenResponse>(`${show(s)}/listen`, token, { method: 'POST' });

export const loadPresence = (token: string | null, s: string) => apiRequest<PresenceNotice>(`${show(s)}/presence`, token);

export const refreshToken = (token: string, f?: Fetch) => apiRequest<RefreshResponse>('/api/auth/refresh', token, { method: 'POST' }, f);
