import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { batchRevenueBody, batchRevenueResponse, showIdParams, showSummarySchema } from '@showwire/protocol';
import { assertCanRead } from '../auth/access.js';
import { forbidden, notFound } from '../errors.js';
import { errorResponses } from '../openapi.js';

/**
 * The host's post-show figures, the moment the show ends: computed from the show's reduced state
 * (the shared `reduceShow` over the log) and the reservation book, never from a batch job.
 */
export const summaryRoutes: FastifyPluginAsyncZod = async (app) => {
  const summaryOf = (show: string) => app.hub.summaryOf(show);

  app.get('/api/shows/:showId/summary', { schema: { params: showIdParams, response: { 200: showSummarySchema, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    const show = req.params.showId;
    if (principal.role === 'viewer') throw forbidden('a viewer token cannot read a show\'s summary (hosts, staff and admins can)');
    assertCanRead(principal, show);
    const summary = summaryOf(show);
    if (!summary) throw notFound(`show "${show}" has no events yet`);
    return summary;
  });

  app.post('/api/shows/batch-revenue', { schema: { body: batchRevenueBody, response: { 200: batchRevenueResponse, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    if (principal.role === 'viewer') throw forbidden('a viewer token cannot read revenue');
    const revenue: Record<string, Record<string, number>> = {};
    // A show without events has no revenue yet: {} rather than a 404 for the whole batch.
    for (const show of new Set(req.body.showIds)) {
      assertCanRead(principal, show);
      revenue[show] = summaryOf(show)?.orders.revenue ?? {};
    }
    return { revenue };
  });
};
