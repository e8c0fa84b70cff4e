import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { showParams, streamQuery } from '@showwire/protocol';
import { streamScope } from '../auth/access.js';
import { whenExpired } from '../auth/expiry.js';
import { badRequest } from '../errors.js';
import { dataFrame, eventFrame, retryFrame } from '../fanout/frames.js';
import { Session, type Filter } from '../fanout/session.js';
import { DOCUMENT_ONLY_HEADERS } from '../security/headers.js';

/** Clients reconnect after this long; on shutdown we ask for a quicker return. */
const RETRY_MS = 2000;
export const SHUTDOWN_RETRY_MS = 500;
const REPLAY_PAGE = 500;

/**
 * `GET /api/stream` (all shows, or `?shows=a,b`, `?types=x,y`) and `GET /api/shows/:show/stream`.
 * Resume from `Last-Event-ID` (or `lastEventId`, which browsers can set on the first connect):
 * the session joins the fan-out first and holds live events while the log is replayed, so
 * nothing published during the replay is missed or sent twice.
 */
export const streamRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const { log, fanout, metrics } = hub;

  async function open(req: FastifyRequest, reply: FastifyReply, asked: { shows?: string[]; types?: string[]; lastEventId?: string }) {
    const principal = await req.principal();
    const filter: Filter = streamScope(principal, asked);
    const header = req.headers['last-event-id'];
    const resumeFrom = (typeof header === 'string' && header !== '' ? header : undefined) ?? asked.lastEventId;
    if (resumeFrom !== undefined && !log.isId(resumeFrom)) {
      const where = typeof header === 'string' && header !== '' ? 'Last-Event-ID' : 'lastEventId';
      throw badRequest([{ path: where, message: `"${resumeFrom.slice(0, 64)}" is not an event id of this hub` }]);
    }
    if (hub.isClosing()) return reply.code(503).header('Retry-After', '1').send({ error: 'unavailable', message: 'the hub is shutting down' });

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
    // next tick; the session writes frames straight to the socket, so they must be out first.
    while (res.writableCorked) res.uncork();
    flattenSentHeader(res);
    releaseFastifyReply(res);

    const session = new Session(
      res,
      { maxBufferedBytes: hub.config.HUB_SSE_BUFFER_BYTES, maxBufferedEvents: hub.config.HUB_SSE_BUFFER_EVENTS },
      log.compare,
    );
    // Fastify's own request line is gone with its reply (above), so the stream logs one line as it
    // ends: refusals of slow or failing clients at info, the rest at debug, like other requests.
    // It keeps a plain copy of what the line needs, not Fastify's request.
    const line = { req: { method: req.method, url: req.url, ip: req.ip } };
    // The root logger with the request id, not the request's child logger: that child (and its
    // bindings string) would otherwise stay alive with every open stream.
    const rootLog = app.log;
    const reqId = req.id;
    const opened = Date.now();
    session.onClose((reason) => {
      metrics.closes.inc({ reason });
      rootLog[reason === 'slow' || reason === 'error' ? 'info' : 'debug']({ reqId, ...line, reason, durationMs: Date.now() - opened }, 'stream closed');
    });
    fanout.add(session, filter);
    if (principal.exp !== undefined) {
      // The stream must not outlive its token; the client reconnects with a fresh one.
      session.onClose(whenExpired(principal.exp, () => session.close('expired')));
    }

    try {
      if (resumeFrom !== undefined) await replay(session, filter, resumeFrom);
      session.goLive();
    } catch (error) {
      req.log.error({ err: error }, 'replay failed');
      session.close('error');
    }
  }

  async function replay(session: Session, filter: Filter, from: string) {
    const shows = filter.shows ? [...filter.shows] : undefined;
    const types = filter.types ? [...filter.types] : undefined;
    const newest = await log.lastId();
    let cursor = from;
    if (newest === undefined || log.compare(from, newest) > 0) {
      // A point this log never issued (another hub's, or from before a reset): say so and go live.
      if (log.compare(from, '0') > 0) {
        session.notice(dataFrame({ type: 'history_truncated', reason: 'unknown_resume_point', lastEventId: from, timestamp: Date.now() / 1000 }));
      }
      // Everything the session holds came after it joined, so all of it goes out.
      session.cursor = undefined;
      return;
    }
    session.cursor = from;
    if (await log.prunedAfter(from, shows)) {
      session.notice(dataFrame({ type: 'history_truncated', reason: 'retention', lastEventId: from, timestamp: Date.now() / 1000 }));
    }
    // Replay up to the newest id seen at join time; everything after it is held by the session.
    while (!session.closed && log.compare(cursor, newest) < 0) {
      const page = await log.read({ after: cursor, shows, types, limit: REPLAY_PAGE });
      const last = page.at(-1);
      if (!last) break;
      cursor = last.id;
      metrics.replayed.inc(page.length);
      await session.replay(page.map((r) => eventFrame(r.id, r.json)).join(''), page.length, last.id);
      if (page.length < REPLAY_PAGE) break;
    }
  }

  app.get('/api/stream', { schema: { querystring: streamQuery } }, (req, reply) => open(req, reply, req.query));
  app.get('/api/shows/:show/stream', { schema: { params: showParams, querystring: streamQuery.omit({ shows: true }) } }, (req, reply) =>
    open(req, reply, { ...req.query, shows: [req.params.show] }),
  );
};

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
