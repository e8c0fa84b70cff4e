import { Agent, fetch, type Response } from 'undici';
import { assertPublicLiteral, guardedLookup } from './ssrf-guard.js';

/** How much of a response body the delivery log keeps. */
const RESPONSE_EXCERPT_BYTES = 1024;

interface SendResult {
  statusCode: number | null;
  retryAfter: string | null;
  response: string;
  latencyMs: number;
  error: string | null;
  /** True when the hub itself cancelled the request (shutting down): not an attempt. */
  cancelled: boolean;
}

/**
 * One HTTP POST per attempt: a keep-alive pool per origin, a whole-request timeout, redirects
 * never followed (a 3xx is a failure: following could lead the hub's signed request anywhere),
 * and, unless private addresses are allowed, sockets that only connect to public addresses.
 */
export function createSender(opts: { timeoutMs: number; allowPrivate: boolean; userAgent: string }) {
  const agent = new Agent({
    connect: { timeout: opts.timeoutMs, ...(opts.allowPrivate ? {} : { lookup: guardedLookup }) },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });

  async function send(url: string, headers: Record<string, string>, body: string, cancel: AbortSignal): Promise<SendResult> {
    const started = performance.now();
    const done = (r: Partial<SendResult>): SendResult => ({
      statusCode: null,
      retryAfter: null,
      response: '',
      error: null,
      cancelled: false,
      ...r,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    });
    try {
      if (!opts.allowPrivate) assertPublicLiteral(new URL(url));
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': opts.userAgent, ...headers },
        body,
        redirect: 'manual',
        dispatcher: agent,
        signal: AbortSignal.any([cancel, AbortSignal.timeout(opts.timeoutMs)]),
      });
      const response = await excerpt(res.body);
      return done({ statusCode: res.status, retryAfter: res.headers.get('retry-after'), response });
    } catch (error) {
      if (cancel.aborted) return done({ cancelled: true, error: 'cancelled: the hub is shutting down' });
      return done({ error: describe(error, opts.timeoutMs) });
    }
  }

  return { send, close: () => agent.close() };
}

/** The first bytes of a body; the rest is not read (and the connection is dropped, not drained). */
async function excerpt(body: Response['body']): Promise<string> {
  if (!body) return '';
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = Buffer.from(value);
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= RESPONSE_EXCERPT_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = e.cause;
  if (cause?.message) return `${cause.code ? `${cause.code}: ` : ''}${cause.message}`;
  return e.message ?? String(error);
}
