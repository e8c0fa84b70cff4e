import { EventSource } from 'eventsource';
import { errorBody, ingestResponse, type EventInput, type IngestResponse, type Issue } from '@showwire/protocol';
import { CliError, ExitCode, exitCodeForStatus } from './exit-codes.js';
import type { HubOptions } from './options.js';

const authHeader = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** A response body as JSON, or undefined when it is not (a proxy's HTML error page, say). */
function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Each issue on a line of its own, indented: `\n  product.price: …` (the hub's and protocol's alike). */
export const issueLines = (issues?: readonly Issue[] | null): string => (issues ?? []).map((i) => `\n  ${i.path}: ${i.message}`).join('');

/** The hub's error body: `message`, then each issue's path on its own line. */
export function describeError(status: number, body: unknown): string {
  const b = errorBody.safeParse(body);
  if (b.success) return `hub answered ${status} ${b.data.error}: ${b.data.message}${issueLines(b.data.issues)}`;
  return `hub answered ${status}`;
}

function unreachable(hub: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return new CliError(ExitCode.unreachable, `cannot reach the hub at ${hub}: ${cause?.code ?? cause?.message ?? String(error)}`);
}

/** POST events to one show (`/api/shows/:show/events`), or to `/api/agent/data` when no show is given. */
export async function postEvents(opts: HubOptions, show: string | undefined, events: EventInput | EventInput[]): Promise<IngestResponse> {
  const url = show ? `${opts.hub}/api/shows/${encodeURIComponent(show)}/events` : `${opts.hub}/api/agent/data`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(opts.token) },
      body: JSON.stringify(events),
    });
  } catch (error) {
    throw unreachable(opts.hub, error);
  }
  const body = tryJson(await res.text());
  if (!res.ok) throw new CliError(exitCodeForStatus(res.status), describeError(res.status, body));
  const answer = ingestResponse.safeParse(body);
  if (!answer.success) throw new CliError(ExitCode.internal, `hub answered ${res.status} with something that is not an ingest answer ({ids, clients_notified}); is ${opts.hub} a Showwire hub?`);
  return answer.data;
}

export interface StreamFilter {
  shows?: string[];
  types?: string[];
  lastEventId?: string;
}

/** One SSE message: events carry `id`, the hub's notices (heartbeat, history_truncated) do not. */
export interface StreamMessage {
  id?: string;
  data: Record<string, unknown> & { type?: string };
}

export interface StreamHandlers {
  onOpen?: (opens: number) => void;
  onMessage: (message: StreamMessage) => void;
  /** The stream dropped and EventSource is reconnecting (with Last-Event-ID). */
  onReconnecting?: () => void;
  /** The stream cannot go on: the hub refused it, or was never reachable. */
  onFatal: (error: CliError) => void;
}

export function streamUrl(hub: string, filter: StreamFilter): string {
  const q = new URLSearchParams();
  if (filter.shows?.length) q.set('shows', filter.shows.join(','));
  if (filter.types?.length) q.set('types', filter.types.join(','));
  if (filter.lastEventId !== undefined) q.set('lastEventId', filter.lastEventId);
  const qs = q.toString();
  return `${hub}/api/stream${qs ? `?${qs}` : ''}`;
}

/**
 * An EventSource on `/api/stream` (the `eventsource` package reconnects and sends Last-Event-ID by
 * itself). A refusal (4xx) is fatal, with the hub's own message; so is failing the very first connect,
 * so a script pointed at the wrong port fails fast instead of retrying forever.
 */
export function openStream(opts: HubOptions, filter: StreamFilter, handlers: StreamHandlers): { close: () => void } {
  let opens = 0;
  let refusal: { status: number; body: unknown } | undefined;
  let networkError: unknown;
  const es = new EventSource(streamUrl(opts.hub, filter), {
    fetch: async (input, init) => {
      try {
        const res = await fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), ...authHeader(opts.token) } });
        if (res.status !== 200) {
          refusal = { status: res.status, body: tryJson(await res.text()) };
          return new Response(null, { status: res.status });
        }
        return res;
      } catch (error) {
        networkError = error;
        throw error;
      }
    },
  });
  es.onopen = () => handlers.onOpen?.(++opens);
  es.onmessage = (m) => {
    let data: StreamMessage['data'];
    try {
      data = JSON.parse(String(m.data)) as typeof data;
    } catch {
      return;
    }
    handlers.onMessage({ id: m.lastEventId && data.id === m.lastEventId ? m.lastEventId : undefined, data });
  };
  es.onerror = (err) => {
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      const r = refusal;
      handlers.onFatal(r ? new CliError(exitCodeForStatus(r.status), describeError(r.status, r.body)) : new CliError(ExitCode.unreachable, `stream failed: ${err.message ?? 'closed'}`));
    } else if (opens === 0) {
      es.close();
      handlers.onFatal(unreachable(opts.hub, networkError ?? err));
    } else {
      handlers.onReconnecting?.();
    }
  };
  return { close: () => es.close() };
}
