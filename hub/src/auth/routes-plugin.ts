import type { FastifyInstance } from 'fastify';
import { authRefreshRoutes } from './refresh-routes.js';
import { authTokenRoutes } from './token-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { authDocs } from './api-docs.js';

/** Tokens: minting (`POST /api/auth/tokens`) and refreshing a session. The principal itself is auth/plugin.ts's. */
export async function authRoutesPlugin(app: FastifyInstance) {
  documentRoutes(app, 'Auth', authDocs);
  await app.register(authTokenRoutes);
  await app.register(authRefreshRoutes);
}
