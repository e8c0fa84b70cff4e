import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '@showwire/protocol';

/** Where the rendered API documentation lives (served from the package's own files, no CDN). */
export const DOCS_PREFIX = '/docs';

/**
 * Every route answers errors in the one shape; declared once here and spread into each route's
 * `response`, so errors are serialized through it too and the document says so.
 */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

/** A response that is not JSON (an SSE stream, a page, Prometheus text), for the document. */
export const nonJson = (contentType: string, description: string) => ({
  description,
  // Typed unknown: the handler sends text, a Buffer or a file; the document says a string.
  content: { [contentType]: { schema: z.unknown().meta({ type: 'string' }) } },
});

/**
 * The OpenAPI document (`GET /openapi.json`), generated from the routes' zod schemas by
 * @fastify/swagger with the zod type provider's transform, and `/docs` rendering it. Register
 * before the routes: the document lists the routes registered after it.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // hub/package.json, one level up from src/ and from dist/ alike.
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Showwire hub',
        version,
        description: 'Event hub for LiveKit voice agents in live shows: ingest, history, SSE streams, webhooks, LiveKit rooms and tokens.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: false, uiConfig: { deepLinking: false } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
