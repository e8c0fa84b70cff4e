import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  cartEventBody,
  cartEventResponse,
  reservationCleanupResponse,
  reservationQuantitiesResponse,
  reservationsQuery,
  showIdParams,
} from '@showwire/protocol';
import { assertRole, canRead, coversShow } from '../auth/access.js';
import { badRequest, forbidden, HttpError } from '../errors.js';
import { errorResponses } from '../openapi.js';
import { assertMayWrite } from '../pipeline/publish-policy.js';

/**
 * The live streaming doc's cart and reservations. A viewer posts its own cart events (the user
 * is its token's subject, whatever the body says); a service (the shop) or an admin names the
 * user. Reservations are folded from the stored events (commerce/reservation-book.ts).
 */
export const cartRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const { reservations } = hub;
  const minutes = hub.config.HUB_RESERVATION_MINUTES;

  app.post(
    '/api/shows/:showId/cart-event',
    { schema: { params: showIdParams, body: cartEventBody, response: { 201: cartEventResponse, ...errorResponses } } },
    async (req, reply) => {
      const principal = await req.principal();
      const show = req.params.showId;
      assertRole(principal, 'viewer', 'service', 'admin');
      if (!coversShow(principal, show)) throw forbidden(`this token does not cover show "${show}"`);
      const { productId, action, quantity } = req.body;
      // A viewer's user is its token's subject; naming another is refused by the publish policy.
      const userId = req.body.userId ?? (principal.role === 'viewer' ? principal.sub : undefined);
      if (userId === undefined) {
        throw badRequest([{ path: 'userId', message: `is required when a ${principal.role} posts a cart event` }]);
      }
      const now = Date.now() / 1000;
      const event = {
        type: 'cart_event', show, productId, action, quantity, userId,
        ...(action === 'add_to_cart' && { reservedUntil: now + minutes * 60 }),
      };
      // Who may write it is told before whether the show still takes it (publish checks again).
      assertMayWrite(principal, [event]);
      if (hub.shows.get(show)?.status === 'ended' && action === 'add_to_cart') {
        throw new HttpError('show_ended', `show "${show}" has ended: nothing can be added to a cart from it`);
      }
      const { ids } = await hub.publish([event], principal);
      await hub.caughtUp();
      reply.code(201);
      return { eventId: ids[0]!, reservation: reservations.get(show, userId, productId, Date.now() / 1000) };
    },
  );

  // The shop shows "n left" from these; hosts and staff see them too. Not a stream: a service may ask.
  app.get('/api/reservations/quantities', { schema: { querystring: reservationsQuery, response: { 200: reservationQuantitiesResponse, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    const { show } = req.query;
    if (!(canRead(principal, show) || (principal.role === 'service' && coversShow(principal, show)))) {
      throw forbidden(`this token may not read the reservations of show "${show}"`);
    }
    return { show, quantities: reservations.quantities(show, Date.now() / 1000) };
  });

  app.delete('/api/reservations/cleanup', { schema: { response: { 200: reservationCleanupResponse, ...errorResponses } } }, async (req) => {
    assertRole(await req.principal(), 'admin', 'staff', 'service');
    return reservations.dropExpired(Date.now() / 1000);
  });
};
