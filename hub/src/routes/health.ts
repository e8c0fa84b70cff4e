import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '@showwire/protocol';
import { assertRole } from '../auth/access.js';
import { errorResponses, nonJson } from '../openapi.js';

const ready = z.object({ status: z.literal('ready'), auth: z.enum(['on', 'off']), warnings: z.array(z.string()) });
/** Not ready: the error shape, plus what a probe or a person reads. */
const notReady = errorBody.extend({ status: z.enum(['draining', 'unavailable']), warnings: z.array(z.string()) });

/** Liveness, readiness (the log takes a write), and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const authOff = hub.config.HUB_AUTH === 'off';

  app.get('/healthz', { schema: { response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { response: { 200: ready, 503: notReady, ...errorResponses } } }, async (_req, reply) => {
    const warnings = authOff ? ['HUB_AUTH=off: every route is open to anyone'] : [];
    if (hub.isClosing()) return reply.code(503).send({ error: 'unavailable', message: 'the hub is draining', status: 'draining', warnings });
    try {
      await hub.log.checkWritable();
    } catch {
      return reply.code(503).send({ error: 'unavailable', message: 'the event log cannot take a write', status: 'unavailable', warnings });
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
