import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '@showwire/protocol';
import { assertRole } from '../auth/access.js';
import { StoreUnavailableError } from '../log/event-log.js';
import { errorResponses, nonJson } from '../openapi.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { healthDocs } from './api-docs.js';

const ready = z.object({ status: z.literal('ready'), auth: z.enum(['on', 'off']), warnings: z.array(z.string()) });
/** Not ready: the error shape, plus what a probe or a person reads. */
const notReady = errorBody.extend({ status: z.enum(['draining', 'unavailable']), reason: z.string().optional(), warnings: z.array(z.string()) });

/** Liveness, readiness (the storage takes writes: free space, data directory, last write; the log takes a probe), and Prometheus metrics. */
export const healthPlugin: FastifyPluginAsyncZod = async (app) => {
  documentRoutes(app, 'Health', healthDocs);
  const { hub } = app;
  const authOff = hub.config.HUB_AUTH === 'off';

  app.get('/healthz', { schema: { response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { response: { 200: ready, 503: notReady, ...errorResponses } } }, async (_req, reply) => {
    const warnings = authOff ? ['HUB_AUTH=off: every route is open to anyone'] : [];
    if (hub.isClosing()) return reply.code(503).send({ error: 'unavailable', message: 'the hub is draining', status: 'draining', warnings });
    const storage = hub.storage?.unreadyReason();
    if (storage) return reply.code(503).send({ error: 'unavailable', message: storage, status: 'unavailable', reason: storage, warnings });
    try {
      await hub.log.checkWritable();
    } catch (error) {
      const reason = `the event log cannot take a write${error instanceof StoreUnavailableError ? `: ${error.message}` : ''}`;
      return reply.code(503).send({ error: 'unavailable', message: reason, status: 'unavailable', reason, warnings });
    }
    return { status: 'ready' as const, auth: authOff ? ('off' as const) : ('on' as const), warnings };
  });

  const metricsSchema = { response: { 200: nonJson('text/plain', 'Prometheus text exposition (staff or admin token)'), ...errorResponses } };
  app.get('/metrics', { schema: metricsSchema }, async (req, reply) => {
    assertRole(await req.principal(), 'admin', 'staff');
    reply.type(hub.metrics.registry.contentType);
    return hub.metrics.registry.metrics();
  });
};
