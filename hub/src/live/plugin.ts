import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { liveSessionRoutes } from './session-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { liveSessionDocs } from './api-docs.js';

/** Live sessions: a server-side participant per room, its media over WebSocket, its recordings. */
export async function liveSessionsPlugin(app: FastifyInstance) {
  documentRoutes(app, 'Live sessions', liveSessionDocs);
  // WebSocket support for the routes that ask (`websocket: true`): only these do.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(liveSessionRoutes);
}
