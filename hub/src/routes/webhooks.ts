import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  webhookDeliveriesQuery,
  webhookDeliveryParams,
  webhookEndpointCreateBody,
  webhookEndpointParams,
  webhookEndpointUpdateBody,
  webhookRecoverBody,
  webhookRotateSecretBody,
} from '@showwire/protocol';
import { assertRole } from '../auth/access.js';

/**
 * `/api/webhooks…`, admin only: endpoints (CRUD, enable/disable, secret rotation, test), the
 * delivery log with each attempt, and redelivery (one, or every failure since a time).
 */
export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const webhooks = app.hub.webhooks;
  const admin = async (req: FastifyRequest) => assertRole(await req.principal(), 'admin');
  const byId = { params: webhookEndpointParams };

  app.post('/api/webhooks/endpoints', { schema: { body: webhookEndpointCreateBody } }, async (req, reply) => {
    await admin(req);
    reply.code(201);
    return webhooks.createEndpoint(req.body);
  });
  app.get('/api/webhooks/endpoints', async (req) => {
    await admin(req);
    return { endpoints: await webhooks.listEndpoints() };
  });
  app.get('/api/webhooks/endpoints/:id', { schema: byId }, async (req) => {
    await admin(req);
    return webhooks.getEndpoint(req.params.id);
  });
  app.patch('/api/webhooks/endpoints/:id', { schema: { ...byId, body: webhookEndpointUpdateBody } }, async (req) => {
    await admin(req);
    return webhooks.updateEndpoint(req.params.id, req.body);
  });
  app.delete('/api/webhooks/endpoints/:id', { schema: byId }, async (req, reply) => {
    await admin(req);
    await webhooks.deleteEndpoint(req.params.id);
    return reply.code(204).send();
  });
  app.post('/api/webhooks/endpoints/:id/enable', { schema: byId }, async (req) => {
    await admin(req);
    return webhooks.setEnabled(req.params.id, true);
  });
  app.post('/api/webhooks/endpoints/:id/disable', { schema: byId }, async (req) => {
    await admin(req);
    return webhooks.setEnabled(req.params.id, false);
  });
  app.get('/api/webhooks/endpoints/:id/secret', { schema: byId }, async (req) => {
    await admin(req);
    return webhooks.secret(req.params.id);
  });
  app.post('/api/webhooks/endpoints/:id/rotate-secret', { schema: { ...byId, body: webhookRotateSecretBody.optional() } }, async (req) => {
    await admin(req);
    const body = webhookRotateSecretBody.parse(req.body ?? {});
    return webhooks.rotateSecret(req.params.id, body.secret, body.graceSeconds);
  });
  app.post('/api/webhooks/endpoints/:id/test', { schema: byId }, async (req, reply) => {
    await admin(req);
    reply.code(202);
    return webhooks.sendTest(req.params.id);
  });
  app.post('/api/webhooks/endpoints/:id/recover', { schema: { ...byId, body: webhookRecoverBody } }, async (req, reply) => {
    await admin(req);
    reply.code(202);
    return webhooks.recover(req.params.id, req.body.since);
  });

  app.get('/api/webhooks/deliveries', { schema: { querystring: webhookDeliveriesQuery } }, async (req) => {
    await admin(req);
    const deliveries = await webhooks.outbox.list(req.query);
    return { deliveries, next: deliveries.length === req.query.limit ? deliveries.at(-1)!.id : null };
  });
  app.get('/api/webhooks/deliveries/:id', { schema: { params: webhookDeliveryParams } }, async (req) => {
    await admin(req);
    return webhooks.getDelivery(req.params.id);
  });
  app.post('/api/webhooks/deliveries/:id/redeliver', { schema: { params: webhookDeliveryParams } }, async (req, reply) => {
    await admin(req);
    reply.code(202);
    return webhooks.redeliver(req.params.id);
  });
};
