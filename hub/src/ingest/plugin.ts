import type { FastifyInstance } from 'fastify';
import { ingestRoutes } from './json-routes.js';
import { ingestStreamRoutes } from './stream-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { ingestDocs } from './api-docs.js';

/**
 * Publishing over HTTP: single events and batches as JSON, and the NDJSON publish stream. Both
 * hand what they parsed to the hub's one publish pipeline, which decides what may be written.
 */
export async function ingestPlugin(app: FastifyInstance) {
  documentRoutes(app, 'Ingest', ingestDocs);
  await app.register(ingestRoutes);
  await app.register(ingestStreamRoutes);
}
