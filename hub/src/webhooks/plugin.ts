import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  webhookDeliveriesQuery,
  webhookDelivery,
  webhookDeliveryDetail,
  webhookDeliveryPage,
  webhookEndpoint,
  webhookEndpointCreated,
  webhookEndpointList,
  webhookRecovered,
  webhookRotatedSecret,
  webhookSecretResponse,
  webhookDeliveryParams,
  webhookEndpointCreateBody,
  webhookEndpointParams,
  webhookEndpointUpdateBody,
  webhookRecoverBody,
  webhookRotateSecretBody,
} from '@showwire/protocol';
import { z } from 'zod';
import { assertRole } from '../auth/access.js';
import { errorResponses } from '../openapi.js';
import { filteredDeliveries } from './filtered-deliveries.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { webhookDocs } from './api-docs.js';

/**
 * `/api/webhooks…`, admin only: endpoints (CRUD, enable/disable, secret rotation, test), the
 * delivery log with each attempt, and redelivery (one, or every failure since a time).
 */
export const webhooksPlugin: FastifyPluginAsyncZod = async (app) => {
  documentRoutes(app, 'Webhook endpoints', webhookDocs);
  const webhooks = app.hub.webhooks;
  const admin = async (req: FastifyRequest) => assertRole(await req.principal(), 'admin');
  const byId = { params: webhookEndpointParams };
  const answers = <S extends 200 | 201 | 202, T extends z.ZodType>(status: S, schema: T) => ({
    response: { [status]: schema, ...errorResponses } as Record<S, T> & typeof errorResponses,
  });

  app.post('/api/webhooks/endpoints', { schema: { body: webhookEndpointCreateBody, ...answers(201, webhookEndpointCreated) } }, async (req, reply) => {
    await admin(req);
    reply.code(201);
    return webhooks.createEndpoint(req.body);
  });
  app.get('/api/webhooks/endpoints', { schema: answers(200, webhookEndpointList) }, async (req) => {
    await admin(req);
    return { endpoints: await webhooks.listEndpoints() };
  });
  app.get('/api/webhooks/endpoints/:id', { schema: { ...byId, ...answers(200, webhookEndpoint) } }, async (req) => {
    await admin(req);
    return webhooks.getEndpoint(req.params.id);
  });
  app.patch('/api/webhooks/endpoints/:id', { schema: { ...byId, body: webhookEndpointUpdateBody, ...answers(200, webhookEndpoint) } }, async (req) => {
    await admin(req);
    return webhooks.updateEndpoint(req.params.id, req.body);
  });
  app.delete('/api/webhooks/endpoints/:id', { schema: { ...byId, response: { 204: z.null().describe('Deleted'), ...errorResponses } } }, async (req, reply) => {
    await admin(req);
    await webhooks.deleteEndpoint(req.params.id);
    return reply.code(204).send(null);
  });
  app.post('/api/webhooks/endpoints/:id/enable', { schema: { ...byId, ...answers(200, webhookEndpoint) } }, async (req) => {
    await admin(req);
    return webhooks.setEnabled(req.params.id, true);
  });
  app.post('/api/webhooks/endpoints/:id/disable', { schema: { ...byId, ...answers(200, webhookEndpoint) } }, async (req) => {
    await admin(req);
    return webhooks.setEnabled(req.params.id, false);
  });
  app.get('/api/webhooks/endpoints/:id/secret', { schema: { ...byId, ...answers(200, webhookSecretResponse) } }, async (req) => {
    await admin(req);
    return webhooks.secret(req.params.id);
  });
  app.post('/api/webhooks/endpoints/:id/rotate-secret', { schema: { ...byId, body: webhookRotateSecretBody.optional(), ...answers(200, webhookRotatedSecret) } }, async (req) => {
    await admin(req);
    const body = webhookRotateSecretBody.parse(req.body ?? {});
    return webhooks.rotateSecret(req.params.id, body.secret, body.graceSeconds);
  });
  app.post('/api/webhooks/endpoints/:id/test', { schema: { ...byId, ...answers(202, webhookDelivery) } }, async (req, reply) => {
    await admin(req);
    reply.code(202);
    return webhooks.sendTest(req.params.id);
  });
  app.post('/api/webhooks/endpoints/:id/recover', { schema: { ...byId, body: webhookRecoverBody, ...answers(202, webhookRecovered) } }, async (req, reply) => {
    await admin(req);
    reply.code(202);
    return webhooks.recover(req.params.id, req.body.since);
  });

  app.get('/api/webhooks/deliveries', { schema: { querystring: webhookDeliveriesQuery, ...answers(200, webhookDeliveryPage) } }, async (req) => {
    await admin(req);
    const { type, show, webhookId, ...page } = req.query;
    if (type === undefined && show === undefined && webhookId === undefined) {
      const deliveries = await webhooks.listDeliveries(page);
      return { deliveries, next: deliveries.length === page.limit ? deliveries.at(-1)!.id : null };
    }
    return filteredDeliveries((q) => webhooks.listDeliveries(q), page, (d) => (type === undefined || d.type === type) && (show === undefined || d.show === show) && (webhookId === undefined || d.webhookId === webhookId));
  });
  app.get('/api/webhooks/deliveries/:id', { schema: { params: webhookDeliveryParams, ...answers(200, webhookDeliveryDetail) } }, async (req) => {
    await admin(req);
    return webhooks.getDelivery(req.params.id);
  });
  app.post('/api/webhooks/deliveries/:id/redeliver', { schema: { params: webhookDeliveryParams, ...answers(202, webhookDelivery) } }, async (req, reply) => {
    await admin(req);
    reply.code(202);
    return webhooks.redeliver(req.params.id);
  });
};
