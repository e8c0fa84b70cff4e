import type { FastifyInstance } from 'fastify';
import { transcriptRoutes } from '../transcripts/transcript-routes.js';
import { productRoutes } from './product-routes.js';
import { showRoutes } from './show-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { showDocs } from './api-docs.js';

/** Shows as the registry folds them: their list, state and history, products and carousel, transcripts. */
export async function showsPlugin(app: FastifyInstance) {
  documentRoutes(app, 'Shows', showDocs);
  await app.register(showRoutes);
  await app.register(productRoutes);
  await app.register(transcriptRoutes);
}
