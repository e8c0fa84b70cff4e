import type { FastifyInstance } from 'fastify';
import { streamRoutes } from './sse-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { streamDocs } from './api-docs.js';

/** Reading live: the SSE streams (with resume), served from the hub's fan-out. */
export async function streamsPlugin(app: FastifyInstance) {
  documentRoutes(app, 'Streams', streamDocs);
  await app.register(streamRoutes);
}
