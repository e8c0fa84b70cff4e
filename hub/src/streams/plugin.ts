import type { FastifyInstance } from 'fastify';
import { streamRoutes } from './sse-routes.js';

/** Reading live: the SSE streams (with resume), served from the hub's fan-out. */
export async function streamsPlugin(app: FastifyInstance) {
  await app.register(streamRoutes);
}
