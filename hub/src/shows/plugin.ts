import type { FastifyInstance } from 'fastify';
import { transcriptRoutes } from '../transcripts/transcript-routes.js';
import { productRoutes } from './product-routes.js';
import { showRoutes } from './show-routes.js';

/** Shows as the registry folds them: their list, state and history, products and carousel, transcripts. */
export async function showsPlugin(app: FastifyInstance) {
  await app.register(showRoutes);
  await app.register(productRoutes);
  await app.register(transcriptRoutes);
}
