import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { showParams, streamQuery } from '@showwire/protocol';
import { streamScope } from '../auth/access.js';
import { whenExpired } from '../auth/expiry.js';
import { HttpError } from '../errors.js';
import { retryFrame } from '../fanout/frames.js';
import type { ResumeRequest } from '../fanout/resume-point.js';
import type { Session } from '../fanout/session.js';
import { errorResponses, nonJson } from '../openapi.js';
import { DOCUMENT_ONLY_HEADERS } from '../security/headers.js';

/** Clients reconnect after this long; on shutdown the fan-out asks for a quicker return. */
const RETRY_MS = 2000;

/**
 * `GET /api/stream` (all shows, or `?shows=a,b`, `?types=x,y`) and `GET /api/shows/:show/stream`.
 * Resume from `Last-Event-ID` (or `lastEventId`, which browsers can set on the first connect).
 * The route authorizes and writes the head; the fan-out decides the resume point, replays and
 * goes live (fanout/fanout.ts `subscribe`).
 */
export const streamRoutes: FastifyPluginAsyncZod = async (app) => {
  const { fanout, metrics, config } = app.hub;

  async function open(req: FastifyRequest, reply: FastifyReply, asked: { shows?: string[]; types?: string[]; lastEventId?: string }) {
    const principal = await req.principal();
    const filter = streamScope(principal, asked);
    if (app.connections.full()) {
      // Streams are what a hub holds for long, so they are what the cap refuses; short requests
      // (ingest, health) still get through.
      throw new HttpError('too_many_connections', `this hub holds its maximum of ${config.HUB_MAX_CONNECTIONS} connections; try again shortly`, undefined, {
        'Retry-After': '5',
      });
    }
    const header = req.headers['last-event-id'];
    const resume: ResumeRequest | undefined =
      typeof header === 'string' && header !== ''
        ? { id: header, where: 'Last-Event-ID' }
        : asked.lastEventId !== undefined
          ? { id: asked.lastEventId, where: 'lastEventId' }
          : undefined;

    // Fastify's own request line is gone with its reply (below), so the stream logs one line as it
    // ends: refusals of slow or failing clients at info, the rest at debug, like other requests.
    // It keeps a plain copy of what the line needs, not Fastify's request.
    const line = { req: { method: req.method, url: req.url, ip: req.ip } };
    // The root logger with the request id, not the request's child logger: that child (and its
    // bindings string) would otherwise stay alive with every open stream.
    const rootLog = app.log;
    const reqId = req.id;
    const opened = Date.now();
    const watch = (session: Session) => {
      session.onClose((reason) => {
        metrics.closes.inc({ reason });
        rootLog[reason === 'slow' || reason === 'error' ? 'info' : 'debug']({ reqId, ...line, reason, durationMs: Date.now() - opened }, 'stream closed');
      });
      if (principal.exp !== undefined) {
        // The stream must not outlive its token; the client reconnects with a fresh one.
        session.onClose(whenExpired(principal.exp, () => session.close('expired')));
      }
      // A stream that names its shows is someone watching them (docs/supervision.md, Presence).
      if (filter.shows) session.onClose(app.hub.presence.join(filter.shows, principal));
    };
    await fanout.subscribe({ filter, resume, open: () => writeHead(reply), opened: watch });
  }

  const response = { 200: nonJson('text/event-stream', 'Server-Sent Events: stored events with `id:`, id-less heartbeat and history_truncated notices'), ...errorResponses };
  app.get('/api/stream', { schema: { querystring: streamQuery, response } }, (req, reply) => open(req, reply, req.query));
  app.get('/api/shows/:show/stream', { schema: { params: showParams, querystring: streamQuery.omit({ shows: true }), response } }, (req, reply) =>
    open(req, reply, { ...req.query, shows: [req.params.show] }),
  );
};

/** Takes the response from Fastify and sends the SSE head and the `retry:` hint. */
function writeHead(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...streamHeaders(reply.getHeaders()),
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.socket?.setNoDelay(true);
  res.write(retryFrame(RETRY_MS));
  // Node 24 holds a response's first bytes (headers + retry hint) in the corked response until the
  // next tick; frames written straight to the socket must not overtake them.
  while (res.writableCorked) res.uncork();
  flattenSentHeader(res);
  releaseFastifyReply(res);
  return res;
}

/** The reply's headers (CORS, security) without those only a rendered document uses. */
function streamHeaders(headers: Record<string, number | string | string[] | undefined>): Record<string, number | string | string[]> {
  const out: Record<string, number | string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !DOCUMENT_ONLY_HEADERS.has(name)) out[name] = value;
  return out;
}

/**
 * Fastify listens for the response's `finish` to run onResponse hooks and log the request; that
 * listener keeps its Request, Reply (with their header maps and child logger) alive for as long
 * as the stream is open, ~1 KiB per connection. A hijacked stream ends by a close, not by
 * Fastify's reply, and uses neither, so the listener goes. Matched by Fastify's function name:
 * if that ever changes, nothing is removed (only the memory is not saved).
 */
function releaseFastifyReply(res: ServerResponse): void {
  for (const event of ['finish', 'error'] as const) {
    for (const listener of res.listeners(event)) if (listener.name === 'onResFinished') res.off(event, listener as () => void);
  }
}

/**
 * Node keeps the sent header block (`_header`, ~450 bytes with the security headers) for the
 * response's whole life, though once it is sent Node only tests it for truth (`headersSent`,
 * "already sent" guards). It is swapped for one shared string. If the field ever goes away, or
 * the headers are somehow not out yet, this does nothing.
 */
const SENT_HEADER = 'sent';
function flattenSentHeader(res: ServerResponse): void {
  const r = res as unknown as { _header?: unknown; _headerSent?: boolean };
  if (typeof r._header === 'string' && r._headerSent === true) r._header = SENT_HEADER;
}
