import type { z } from 'zod';
import { emptyStory, errorBody, historyPage, showList, type HubEvent, type ShowListItem, type ShowState } from '@showwire/protocol';

/** What `GET /api/shows` lists per show: protocol's `showListItem`. */
export type ShowSummary = ShowListItem;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

/**
 * A hub request whose answer is parsed with protocol's schema of it (`schema`), so a hub that
 * answers something else fails here, by name, not somewhere in a component.
 */
export async function apiRequest<S extends z.ZodType>(path: string, token: string | null, init: RequestInit, f: Fetch, schema: S): Promise<z.output<S>>;
export async function apiRequest<T>(path: string, token: string | null, init?: RequestInit, f?: Fetch): Promise<T>;
export async function apiRequest(path: string, token: string | null, init: RequestInit = {}, f: Fetch = fetch, schema?: z.ZodType): Promise<unknown> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const res = await f(path, { ...init, headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const b = errorBody.safeParse(body);
    throw b.success ? new ApiError(res.status, b.data.error, b.data.message) : new ApiError(res.status, 'http_error', `${res.status} ${res.statusText}`);
  }
  if (!schema) return body;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(res.status, 'unexpected_answer', `the hub's answer to ${path.split('?')[0]} is not what protocol describes: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

export const loadShowList = (token: string | null, f: Fetch = fetch) => apiRequest('/api/shows', token, {}, f, showList).then((r) => r.shows);

/**
 * A show's whole retained history, page by page, oldest first. The last event's id is where
 * the live stream takes over, so nothing is missed and nothing arrives twice.
 */
export async function loadHistory(
  show: string,
  token: string | null,
  opts: { pageSize?: number; signal?: AbortSignal; maxPages?: number; fetch?: Fetch } = {},
): Promise<{ events: HubEvent[]; truncated: boolean }> {
  const pageSize = opts.pageSize ?? 1000;
  const events: HubEvent[] = [];
  let after: string | null | undefined;
  let truncated = false;
  for (let page = 0; page < (opts.maxPages ?? 100_000); page++) {
    const q = new URLSearchParams({ limit: String(pageSize) });
    if (after) q.set('after', after);
    const r = await apiRequest(`/api/shows/${encodeURIComponent(show)}/events?${q}`, token, { ...(opts.signal && { signal: opts.signal }) }, opts.fetch ?? fetch, historyPage);
    for (const e of r.events) events.push(e);
    truncated ||= r.truncated;
    if (!r.next) break;
    after = r.next;
  }
  return { events, truncated };
}

/** The wall starts from the summaries; the reducer accepts them once the long arrays are put back. */
export function summaryToState(s: ShowSummary): ShowState {
  const { lastTranscript, productCount: _count, ...rest } = s;
  return { ...rest, transcript: lastTranscript ? [lastTranscript] : [], actions: [], viewerHistory: [], products: {}, story: emptyStory(), alerts: rest.alerts ?? [] };
}

export function streamUrl(token: string | null, opts: { shows?: string[]; lastEventId?: string }): string {
  const q = new URLSearchParams();
  if (opts.shows) q.set('shows', opts.shows.join(','));
  if (token) q.set('access_token', token);
  if (opts.lastEventId !== undefined) q.set('lastEventId', opts.lastEventId);
  return `/api/stream?${q}`;
}

/**
 * Whether the hub still accepts the token in a stream URL: anything but 401 counts as yes (a
 * hub that is down or draining says nothing about the token). EventSource hides status codes,
 * so this asks with fetch and drops the response as soon as its status is known.
 */
export async function tokenAccepted(url: string, f: Fetch = fetch): Promise<boolean> {
  const abort = new AbortController();
  try {
    const res = await f(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
    return res.status !== 401;
  } finally {
    abort.abort();
  }
}
