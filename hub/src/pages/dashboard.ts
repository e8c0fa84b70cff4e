import { stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { noRoute } from '../error-handler.js';
import { errorResponses, nonJson } from '../openapi.js';

/** Vite puts content-hashed files here; their names change with their content, so they may be cached for good. */
const ASSETS = 'assets/';

/** Async: a slow disk must not stall the event loop the SSE streams share. */
const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/**
 * The built dashboard at `/`: files as they are, hashed assets cached for a year, and every
 * other non-API path answered with `index.html` (no cache) so client-side routes such as
 * `/shows/abc` survive a reload. The directory is read per request, so a rebuild needs no restart:
 * one `stat` per page or asset load (never on `/api`), and caching it would need a freshness
 * check that costs the same `stat`.
 */
export const dashboardRoutes: FastifyPluginAsync<{ dir: string | undefined }> = async (app, { dir }) => {
  if (!dir) return;
  // The build writes a .gz beside its scripts and styles: sent to browsers that accept it, with Vary.
  await app.register(fastifyStatic, { root: dir, serve: false, preCompressed: true });

  const index = (reply: import('fastify').FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });

  const response = { 200: nonJson('text/html', 'The dashboard page (and, under /assets, its scripts and styles)'), ...errorResponses };
  app.get('/', { schema: { response } }, (_req, reply) => index(reply));
  app.get('/*', { schema: { params: z.object({ '*': z.string() }), response } }, async (req, reply) => {
    const path = (req.params as { '*': string })['*'];
    if (path === 'api' || path.startsWith('api/')) throw noRoute(req);
    const file = normalize(path);
    // `send` refuses traversal too; this keeps `..` paths from even reaching the disk check.
    if (file.startsWith('..') || file.includes(`${sep}..`) || !(await isFile(join(dir, file)))) return index(reply);
    if (file.startsWith(ASSETS)) return reply.sendFile(file, { maxAge: '365d', immutable: true });
    return reply.sendFile(file, { maxAge: '1h' });
  });
};
