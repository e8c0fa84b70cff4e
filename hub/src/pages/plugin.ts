import type { FastifyPluginAsync } from 'fastify';
import { documentRoutes } from '../openapi/document-routes.js';
import { pageDocs } from './api-docs.js';
import { dashboardRoutes } from './dashboard.js';
import { streamTestPageRoutes } from './stream-test-page.js';

/**
 * The hub's pages, public (they hold no data; the API routes check the token): the stream-test
 * page and, last, the dashboard, whose fallback answers every GET no other route took.
 */
export const pagesPlugin: FastifyPluginAsync<{ dashboardDir: string | undefined }> = async (app, { dashboardDir }) => {
  documentRoutes(app, 'Pages', pageDocs);
  await app.register(streamTestPageRoutes);
  await app.register(dashboardRoutes, { dir: dashboardDir });
};
