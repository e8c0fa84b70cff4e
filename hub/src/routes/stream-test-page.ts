import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { eventTemplates } from '@showwire/protocol';
import { errorResponses, nonJson } from '../openapi.js';

/** The page lives in the stream-test workspace; src/ and dist/ sit at the same depth, so one path serves both. */
const PAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'stream-test', 'page', 'stream-test.html');

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

  const templateList = z.array(z.object({ type: z.string(), schema: z.record(z.string(), z.unknown()), template: z.record(z.string(), z.unknown()) }));
  app.get('/stream-test/templates.json', { schema: { response: { 200: templateList, ...errorResponses } } }, async (_req, reply) =>
    reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(templates),
  );
};
