import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DEFAULT_SHOW, eventBatchBody, ingestResponse, parseEventBatch, showParams, type EventInput, type IngestResponse } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';
import { assertCanPublish } from '../auth/access.js';
import { badRequest } from '../errors.js';

/**
 * Ingest: validate, authorize, append (durable before the answer), fan out.
 * `POST /api/agent/data` is the agent streaming guide's path: events name their show, or go to
 * `default`. `POST /api/shows/:show/events` takes the show from the path.
 */
export const ingestRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const bodyLimit = hub.config.HUB_BODY_LIMIT;

  async function ingest(req: FastifyRequest, reply: FastifyReply, pathShow?: string): Promise<IngestResponse> {
    const started = process.hrtime.bigint();
    const principal = await req.principal();
    const parsed = parseEventBatch(req.body);
    if (!parsed.ok) throw badRequest(parsed.issues, 'invalid event');
    const events: Array<EventInput & { show: string }> = [];
    parsed.value.forEach((e, i) => {
      if (pathShow !== undefined && e.show !== undefined && e.show !== pathShow) {
        const where = Array.isArray(req.body) ? `[${i}].show` : 'show';
        throw badRequest([{ path: where, message: `is "${e.show}" but the URL names show "${pathShow}"` }], 'invalid event');
      }
      events.push({ ...e, show: pathShow ?? e.show ?? DEFAULT_SHOW });
    });
    // These routes take events of the publisher's choosing: agents, services and admins only (a
    // viewer's cart events go through the cart route, which stamps the reservation). Which types
    // and eventIds a publisher may write is the pipeline's to decide (pipeline/publish-policy.ts).
    for (const show of new Set(events.map((e) => e.show))) assertCanPublish(principal, show);
    const result = await hub.publish(events, principal);
    hub.metrics.ingestSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    reply.code(result.records.every((r) => r.duplicate) ? 200 : 201);
    return { ids: result.ids, clients_notified: result.clients_notified };
  }

  // Every refusal of an ingest request, whoever answered it (schema, body limit, rate limit,
  // auth): this plugin is encapsulated, so the hook sees the ingest routes only.
  app.addHook('onResponse', (_req, reply, done) => {
    if (reply.statusCode >= 400) hub.metrics.rejected.inc({ status: String(reply.statusCode) });
    done();
  });

  const config = { rateLimit: app.rateLimits.ingest };
  const schema = { body: eventBatchBody, response: { 200: ingestResponse, 201: ingestResponse, ...errorResponses } };
  app.post('/api/agent/data', { bodyLimit, config, schema }, (req, reply) => ingest(req, reply));
  app.post('/api/shows/:show/events', { bodyLimit, config, schema: { ...schema, params: showParams } }, (req, reply) => ingest(req, reply, req.params.show));
};
