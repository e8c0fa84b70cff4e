import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '@showwire/protocol';
import { docsLogo, docsTheme } from './openapi/docs-theme.js';
import { outgoingWebhooks } from './openapi/outgoing-webhooks.js';
import { apiTags } from './openapi/tags.js';

/** Where the rendered API documentation lives (served from the package's own files, no CDN). */
export const DOCS_PREFIX = '/docs';

const VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">';

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
          'The sections below follow the features; what the hub POSTs to your endpoints is under **Webhooks** at the end, signed per Standard Webhooks. [Back to the dashboard](/).',
        ].join('\n\n'),
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
      tags: [...apiTags],
      webhooks: outgoingWebhooks(),
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
  });
  // Encapsulated, so the hook below sees only /docs' own answers.
  await app.register(async (docs) => {
    // Swagger UI's page has no viewport tag, so a phone lays it out 980 px wide and shrinks it.
    docs.addHook('onSend', async (_req, reply, payload) =>
      typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('text/html') ? payload.replace('<head>', `<head>${VIEWPORT}`) : payload,
    );
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      staticCSP: false,
      theme: { title: 'Showwire hub API', css: [{ filename: 'showwire.css', content: docsTheme }] },
      logo: docsLogo,
      // Tags in the document's order, folded: a phone first sees the list of sections.
      uiConfig: { deepLinking: false, docExpansion: 'list', defaultModelsExpandDepth: -1, displayRequestDuration: true, filter: true },
    });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
