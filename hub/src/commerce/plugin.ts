import type { FastifyInstance } from 'fastify';
import { cartRoutes } from './cart-routes.js';
import { summaryRoutes } from './summary-routes.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { commerceDocs } from './api-docs.js';

/**
 * The show's commerce side: cart events and reservations, summaries and revenue. The reservation
 * book and the summaries are pipeline consumers built with the hub; this plugin owns their routes
 * and the timer that frees expired reservations.
 */
export async function commercePlugin(app: FastifyInstance) {
  documentRoutes(app, 'Commerce', commerceDocs);
  const { hub } = app;
  const sweep = setInterval(() => {
    const { dropped } = hub.reservations.dropExpired(Date.now() / 1000);
    if (dropped) app.log.debug({ dropped }, 'expired reservations dropped');
  }, hub.config.HUB_RESERVATION_CLEANUP_SECONDS * 1000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  await app.register(cartRoutes);
  await app.register(summaryRoutes);
}
