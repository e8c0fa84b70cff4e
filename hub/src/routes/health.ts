import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertRole } from '../auth/access.js';
import { StoreUnavailableError } from '../log/event-log.js';

/** Liveness, readiness (the storage takes writes: free space, data directory, last write; the log takes a probe), and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const authOff = hub.config.HUB_AUTH === 'off';

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const warnings = authOff ? ['HUB_AUTH=off: every route is open to anyone'] : [];
    if (hub.isClosing()) return reply.code(503).send({ status: 'draining', warnings });
    const storage = hub.storage?.unreadyReason();
    if (storage) return reply.code(503).send({ status: 'unavailable', reason: storage, warnings });
    try {
      await hub.log.checkWritable();
    } catch (error) {
      const why = error instanceof StoreUnavailableError ? `: ${error.message}` : '';
      return reply.code(503).send({ status: 'unavailable', reason: `the event log cannot take a write${why}`, warnings });
    }
    return { status: 'ready', auth: authOff ? 'off' : 'on', warnings };
  });

  app.get('/metrics', async (req, reply) => {
    assertRole(await req.principal(), 'admin', 'staff');
    reply.type(hub.metrics.registry.contentType);
    return hub.metrics.registry.metrics();
  });
};
