import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseEventInput, showParams, summarize, type EventInput } from '@showwire/protocol';
import { assertCanPublish } from '../auth/access.js';
import { HttpError } from '../errors.js';
import { errorResponses, nonJson } from '../openapi.js';
import { refusal } from '../pipeline/publish-policy.js';
import { requestTimeoutExemptions } from '../server/stream-deadline.js';

/**
 * `POST /api/shows/:show/events/stream`: a persistent publish connection. The request body is
 * NDJSON, one event per line, sent for as long as the publisher likes; the answer is NDJSON too,
 * one ack per line in line order, `{"line":N,"id":"…"}` once that event is durable (and only
 * then fanned out), or `{"line":N,"error":…,"message":…,"issues":[…]}` for a line that was
 * refused, which costs no other line. Lines that arrive while a commit is under way go into the
 * next one, so a busy stream commits in groups: the per-request cost of HTTP and Fastify that
 * dominates single-event POSTs is paid once per connection.
 *
 * A stream lives as long as it makes progress: it ends when no byte arrived for
 * HUB_REQUEST_TIMEOUT_MS (Node's whole-request deadline is lifted for it), at most
 * HUB_MAX_PUBLISH_STREAMS are open, and each line draws on the ingest rate limits as a request would.
 */
const NDJSON = 'application/x-ndjson';
/** Most events per commit; more lines wait for the next. */
const MAX_GROUP = 1000;
/** Lines read but not yet acked beyond which the request is paused (memory stays bounded). */
const MAX_QUEUED = 5000;

type Item = { line: number; event?: EventInput & { show: string }; error?: { error: string; message: string; issues?: unknown } };

export const ingestStreamRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const lineLimit = hub.config.HUB_BODY_LIMIT;
  const idleMs = hub.config.HUB_REQUEST_TIMEOUT_MS;
  const maxStreams = hub.config.HUB_MAX_PUBLISH_STREAMS;
  const exemptions = requestTimeoutExemptions(app.server);
  // The body is handed over as the request stream; this plugin's scope only.
  app.addContentTypeParser(NDJSON, (_req, payload, done) => done(null, payload));

  // Open streams end when the hub closes (SIGTERM drain): what is committing is acked, the rest is not.
  const open = new Set<(message: string) => void>();
  const SHUTDOWN = 'the hub is shutting down; lines without an ack were not stored';
  app.addHook('preClose', async () => {
    for (const stop of [...open]) stop(SHUTDOWN);
  });

  // Opening a stream draws one request from the ingest limit, and so does each of its lines.
  const limit = app.rateLimits.ingest;
  const config = { rateLimit: limit };
  app.post('/api/shows/:show/events/stream', { schema: { params: showParams, response: { 200: nonJson('application/x-ndjson', 'one ack per line, in line order: {line, id, duplicate?} once the event is durable, or {line, error, message, issues?}'), ...errorResponses } }, config }, async (req, reply) => {
    const principal = await req.principal();
    const show = req.params.show;
    assertCanPublish(principal, show);
    const given = req.body as Readable | undefined;
    if (!given || typeof given.pipe !== 'function') {
      throw new HttpError('unsupported_media_type', `send Content-Type: ${NDJSON}, one event per line`);
    }
    const body: Readable = given;
    if (hub.isClosing()) throw new HttpError('unavailable', 'the hub is shutting down');
    // Each open stream may hold a line's worth of memory (up to HUB_BODY_LIMIT) and a queue of acks.
    if (open.size >= maxStreams) {
      throw new HttpError('too_many_publish_streams', `${maxStreams} publish streams are open on this hub (HUB_MAX_PUBLISH_STREAMS); retry in a moment, or post batches`, undefined, { 'Retry-After': '1' });
    }

    reply.hijack();
    const res = reply.raw;
    exemptions.exempt(req.raw, res);
    res.writeHead(200, { 'Content-Type': NDJSON, 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    res.socket?.setNoDelay(true);
    res.flushHeaders();

    const queue: Item[] = [];
    let lineNo = 0;
    let partial: Buffer[] = [];
    let partialBytes = 0;
    let skipping = false; // inside a line over the limit: dropped up to its end
    let committing = false;
    let ended = false;
    let failed = false;

    let stopping = false;
    let lastWords = '';
    /** Ends the stream with an error line: after the commit under way, if any; lines not yet committed get no ack. */
    const stop = (message: string, error = 'unavailable') => {
      if (stopping) return;
      stopping = true;
      clearTimeout(idle);
      lastWords = `${JSON.stringify({ error, message })}\n`;
      open.delete(stop);
      body.pause();
      queue.length = 0;
      if (!committing && !res.writableEnded) {
        res.end(lastWords);
        body.destroy();
      }
    };
    open.add(stop);
    // The idle deadline: restarted by every byte that arrives (a blank line is a keep-alive).
    const onIdle = () => stop(`no byte arrived for ${idleMs} ms (HUB_REQUEST_TIMEOUT_MS); lines without an ack were not stored`, 'request_timeout');
    const idle = setTimeout(onIdle, idleMs);
    res.on('close', () => {
      open.delete(stop);
      clearTimeout(idle);
    });

    const refuse = (line: number, error: string, message: string, issues?: unknown) =>
      queue.push({ line, error: { error, message: `line ${line}: ${message}`, ...(issues !== undefined && { issues }) } });

    function onLine(text: string) {
      const line = ++lineNo;
      if (text.trim() === '') return; // blank lines (keep-alives) are numbered, never acked
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        return refuse(line, 'invalid_json', `not JSON (${(error as Error).message})`);
      }
      const parsed = parseEventInput(raw);
      if (!parsed.ok) return refuse(line, 'validation_failed', `invalid event: ${summarize(parsed.issues)}`, parsed.issues);
      const e = parsed.value;
      if (e.show !== undefined && e.show !== show) {
        const issues = [{ path: 'show', message: `is "${e.show}" but the URL names show "${show}"` }];
        return refuse(line, 'validation_failed', `invalid event: ${summarize(issues)}`, issues);
      }
      const event = { ...e, show };
      // Refused per line, as invalid ones are: the hub's own types and eventIds are not the publisher's.
      const refused = refusal(principal, event);
      if (refused) return refuse(line, refused.code, refused.message);
      queue.push({ line, event });
    }

    body.on('data', (chunk: Buffer) => {
      if (stopping) return;
      idle.refresh();
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        if (skipping) skipping = false;
        else if (partialBytes + nl - start > lineLimit) refuse(++lineNo, 'payload_too_large', `over ${lineLimit} bytes`);
        else {
          partial.push(chunk.subarray(start, nl));
          onLine(Buffer.concat(partial).toString('utf8'));
        }
        partial = [];
        partialBytes = 0;
        start = nl + 1;
      }
      if (start < chunk.length && !skipping) {
        partial.push(chunk.subarray(start));
        partialBytes += chunk.length - start;
        if (partialBytes > lineLimit) {
          refuse(++lineNo, 'payload_too_large', `over ${lineLimit} bytes`);
          skipping = true;
          partial = [];
          partialBytes = 0;
        }
      }
      if (queue.length > MAX_QUEUED) body.pause();
      void commit();
    });
    body.on('end', () => {
      clearTimeout(idle);
      if (stopping) return;
      if (partialBytes > 0) onLine(Buffer.concat(partial).toString('utf8'));
      ended = true;
      void commit();
    });
    body.on('error', () => res.destroy());

    /** Commits what is queued, in groups, one at a time (so acks and the log keep line order). */
    async function commit() {
      if (committing || failed) return;
      committing = true;
      while (queue.length > 0) {
        let n = 0;
        let events = 0;
        while (n < queue.length && events < MAX_GROUP) if (queue[n++]!.event) events++;
        const group = queue.splice(0, n);
        // Each line is a request's worth of the ingest limits: one over them is refused, as a POST would be.
        for (const item of group) {
          if (!item.event) continue;
          try {
            await app.rateLimits.draw(req, limit);
          } catch (error) {
            if (!(error instanceof HttpError)) throw error;
            item.error = { error: error.code, message: `line ${item.line}: ${error.message}` };
            item.event = undefined;
            events--;
          }
        }
        let ids: string[] = [];
        let duplicates: boolean[] = [];
        if (events > 0) {
          try {
            const result = await hub.publish(
              group.filter((i) => i.event).map((i) => i.event!),
              principal,
            );
            ids = result.ids;
            duplicates = result.records.map((r) => r.duplicate);
          } catch (error) {
            // Not stored: no ack for these lines, the publisher sends them again.
            failed = true;
            req.log.error({ err: error }, 'stream ingest: append failed');
            res.end(`${JSON.stringify({ error: 'unavailable', message: 'the event log failed; lines without an ack were not stored' })}\n`);
            body.destroy();
            return;
          }
        }
        let k = 0;
        let out = '';
        for (const item of group) {
          if (item.error) out += `${JSON.stringify({ line: item.line, ...item.error })}\n`;
          else {
            out += `{"line":${item.line},"id":${JSON.stringify(ids[k])}${duplicates[k] ? ',"duplicate":true' : ''}}\n`;
            k++;
          }
        }
        // A publisher that stops reading its acks is waited for (its lines stay paused), not buffered for.
        if (!res.write(out)) await drained(res);
        if (!stopping && body.isPaused() && queue.length < MAX_QUEUED / 2) body.resume();
      }
      committing = false;
      if (stopping && !res.writableEnded) {
        res.end(lastWords);
        body.destroy();
      } else if (ended && queue.length === 0 && !res.writableEnded) res.end();
    }
  });
};

/** Resolves when `res` can take more, or is gone. */
function drained(res: NodeJS.WritableStream & { once: (e: string, f: () => void) => unknown; off: (e: string, f: () => void) => unknown }) {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
