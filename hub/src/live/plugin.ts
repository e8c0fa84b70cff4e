import type { FastifyInstance } from 'fastify';
import { liveSessionRoutes } from './session-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { liveSessionDocs } from './api-docs.js';

/** Live sessions: a server-side participant per room, its media over WebSocket, its recordings. */
export async function liveSessionsPlugin(app: FastifyInstance) {
  documentRoutes(app, 'Live sessions', liveSessionDocs);
  await app.register(liveSessionRoutes);
}
