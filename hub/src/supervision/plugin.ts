import type { FastifyInstance } from 'fastify';
import { alertRoutes } from './alert-routes.js';
import { controlRoutes } from './control-routes.js';
import { listenRoutes } from './listen-routes.js';
import { presenceRoutes } from './presence-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { supervisionDocs } from './api-docs.js';

/** What support staff see and do: alerts and their acknowledgement, controls, listening in, presence. */
export async function supervisionPlugin(app: FastifyInstance) {
  documentRoutes(app, 'Supervision', supervisionDocs);
  await app.register(alertRoutes);
  await app.register(controlRoutes);
  await app.register(listenRoutes);
  await app.register(presenceRoutes);
}
