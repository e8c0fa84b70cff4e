import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '@showwire/protocol';
import { outgoingWebhooks } from './openapi/outgoing-webhooks.js';
import { apiTags } from './openapi/tags.js';

/** Where the rendered API documentation lives (served from the package's own files, no CDN). */
const DOCS_PREFIX = '/docs';

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
        description: [
          'Event hub for LiveKit voice agents in live shows: ingest, history, SSE streams, webhooks, LiveKit rooms and tokens.',
          'Send a hub token as `Authorization: Bearer <token>` (GET streams also take `?access_token=`). Every 4xx and 5xx is `{error, message, issues?}`; `error` is a code of the catalogue in docs/http-api.md.',
          'The sections below follow the features; what the hub POSTs to your endpoints is under **Webhooks** at the end (the API that manages them is under Webhook endpoints), signed per Standard Webhooks. [Back to the dashboard](/).',
        ].join('\n\n'),
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
      tags: [...apiTags],
      webhooks: outgoingWebhooks(),
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
  });
  // Scalar, from the hub itself: its bundle ships in the package (served as /docs/js/scalar.js),
  // fonts are the system's, and nothing that would call scalar.com (telemetry, the AI agent, the
  // developer toolbar) is on. The page reads the document from /openapi.json.
  await app.register(scalar, {
    routePrefix: DOCS_PREFIX,
    configuration: {
      url: '/openapi.json',
      pageTitle: 'Showwire hub API',
      withDefaultFonts: false,
      telemetry: false,
      showDeveloperTools: 'never',
      agent: { disabled: true },
      documentDownloadType: 'json',
      orderRequiredPropertiesFirst: true,
    },
    // The bundle is 5 MB: a browser keeps it for an hour instead of fetching it on every visit.
    hooks: {
      onRequest: (req, reply, done) => {
        if (req.url.endsWith('.js')) reply.header('cache-control', 'public, max-age=3600');
        done();
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
