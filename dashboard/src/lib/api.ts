import type { HubEvent, ShowState, TranscriptLine } from '@showwire/protocol';

/** What `GET /api/shows` lists per show: the state without its long arrays. */
export type ShowSummary = Omit<ShowState, 'transcript' | 'actions' | 'viewerHistory' | 'products'> & {
  lastTranscript?: TranscriptLine;
  productCount: number;
};

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

export async function apiRequest<T>(path: string, token: string | null, init: RequestInit = {}, f: Fetch = fetch): Promise<T> {
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
    const b = body as { error?: string; message?: string } | undefined;
    throw new ApiError(res.status, b?.error ?? 'http_error', b?.message ?? `${res.status} ${res.statusText}`);
  }
  return body as T;
}

export const loadShowList = (token: string | null, f?: Fetch) => apiRequest<{ shows: ShowSummary[] }>('/api/shows', token, {}, f).then((r) => r.shows);

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
    const r = await apiRequest<{ events: HubEvent[]; next: string | null; truncated: boolean }>(
      `/api/shows/${encodeURIComponent(show)}/events?${q}`,
      token,
      { ...(opts.signal && { signal: opts.signal }) },
      opts.fetch,
    );
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
  return { ...rest, transcript: lastTranscript ? [lastTranscript] : [], actions: [], viewerHistory: [], products: {} };
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
