import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { eventTemplates } from '@showwire/protocol';
import { errorResponses, nonJson } from '../openapi.js';

/** The page lives in the stream-test workspace; src/ and dist/ sit at the same depth, so one path serves both. */
const PAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'stream-test', 'page');
const PAGE = join(PAGES, 'stream-test.html');
const WATCH_PAGE = join(PAGES, 'watch.html');

/**
 * livekit-client's UMD build (global `LivekitClient`), resolved the way the page's workspace
 * would import it: the zero-build page loads it from the hub's own origin (the CSP allows no other).
 */
function livekitClientUmd(): string {
  const entry = createRequire(join(PAGES, 'page.js')).resolve('livekit-client');
  return join(dirname(entry), 'livekit-client.umd.js');
}

/**
 * `GET /stream-test`: the zero-build test page (one HTML file with its inline script; the
 * security headers plugin adds that script's sha256 to the CSP). Read once, on the first request
 * (not at start, so a hub deployed without the page still starts; an edited page needs a restart).
 * `GET /stream-test/templates.json`: a JSON Schema and a valid example for every known event type,
 * from protocol, so the page's send form never drifts from the schemas. Both are public: the page
 * holds no data, the stream and ingest routes check the token.
 */
export const streamTestPageRoutes: FastifyPluginAsync = async (app) => {
  const templates = JSON.stringify(eventTemplates());
  let page: Promise<string> | undefined;

  app.get('/stream-test', { schema: { response: { 200: nonJson('text/html', 'The stream-test page'), ...errorResponses } } }, async (_req, reply) => {
    const html = await (page ??= readFile(PAGE, 'utf8'));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });

  // The viewer's page: `/stream-test/watch` is the Live Now grid, `/stream-test/watch/:show` one show.
  let watchPage: Promise<string> | undefined;
  const watch = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const html = await (watchPage ??= readFile(WATCH_PAGE, 'utf8'));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  const watchSchema = { response: { 200: nonJson('text/html', 'The viewer page (a show, or the Live Now grid)'), ...errorResponses } };
  app.get('/stream-test/watch', { schema: watchSchema }, watch);
  app.get('/stream-test/watch/:show', { schema: { ...watchSchema, params: z.object({ show: z.string() }) } }, watch);

  let livekitClient: Promise<Buffer> | undefined;
  app.get('/stream-test/vendor/livekit-client.umd.js', { schema: { response: { 200: nonJson('text/javascript', 'livekit-client (UMD build) for the viewer page'), ...errorResponses } } }, async (_req, reply) => {
    const js = await (livekitClient ??= readFile(livekitClientUmd()));
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(js);
  });

  const templateList = z.array(z.object({ type: z.string(), schema: z.record(z.string(), z.unknown()), template: z.record(z.string(), z.unknown()) }));
  app.get('/stream-test/templates.json', { schema: { response: { 200: templateList, ...errorResponses } } }, async (_req, reply) =>
    reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(templates),
  );
};
