import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  addToCarouselBody,
  addToCarouselResponse,
  createProductBody,
  createProductResponse,
  showParams,
  type AddToCarouselResponse,
  type CreateProductResponse,
  type Product,
} from '@showwire/protocol';
import { assertCanPublish } from '../auth/access.js';
import { notFound } from '../errors.js';
import { errorResponses } from '../openapi.js';

/**
 * The voice agent's tools on the hub: create a product, put it on the show's carousel.
 *
 * Products live in the event log, not in a table of their own: a product is what its
 * `product_created` event says, and the show registry (`reduceShow` over the log) already keeps
 * each show's products and carousel. One source of truth, replayed on restart, shared by every
 * reader. The cost: a product whose `product_created` was pruned by retention is unknown again.
 */
export const productRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;

  app.post('/api/shows/:show/products', { schema: { params: showParams, body: createProductBody, response: { 201: createProductResponse, ...errorResponses } } }, async (req, reply): Promise<CreateProductResponse> => {
    const principal = await req.principal();
    const { show } = req.params;
    assertCanPublish(principal, show);
    const product: Product = { id: `prd_${randomUUID()}`, ...req.body };
    const { ids } = await hub.publish([{ type: 'product_created', show, product }], principal);
    reply.code(201);
    return { product, eventId: ids[0]! };
  });

  app.post('/api/shows/:show/carousel', { schema: { params: showParams, body: addToCarouselBody, response: { 201: addToCarouselResponse, ...errorResponses } } }, async (req, reply): Promise<AddToCarouselResponse> => {
    const principal = await req.principal();
    const { show } = req.params;
    const { productId } = req.body;
    assertCanPublish(principal, show);
    // A product this hub just stored is in the registry (on Redis, once its reader heard it).
    await hub.caughtUp();
    const state = hub.shows.get(show);
    if (!state || !Object.hasOwn(state.products, productId)) {
      throw notFound(`show "${show}" has no product "${productId}"; create it first with POST /api/shows/${show}/products`);
    }
    const { ids } = await hub.publish([{ type: 'product_added_to_show', show, productId }], principal);
    await hub.caughtUp();
    reply.code(201);
    // The registry folded the event during publish, so this is the carousel after the add.
    return { productId, carousel: hub.shows.get(show)?.carousel ?? [productId], eventId: ids[0]! };
  });
};
