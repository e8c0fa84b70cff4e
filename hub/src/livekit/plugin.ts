import type { FastifyInstance } from 'fastify';
import { livekitRoutes } from './livekit-routes.js';
import { streamingRoutes } from './room-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { livekitDocs } from './api-docs.js';

/** LiveKit: tokens, rooms and agent dispatch (`/api/streaming/*`, `/api/livekit/*`), and LiveKit's webhook into the pipeline. */
export async function livekitPlugin(app: FastifyInstance) {
  documentRoutes(app, 'LiveKit', livekitDocs);
  await app.register(streamingRoutes);
  await app.register(livekitRoutes);
}
