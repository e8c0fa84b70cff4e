import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ShowSummaryBody } from '@showwire/protocol';
import type { ReservationBook } from './reservation-book.js';

declare module 'fastify' {
  interface FastifyInstance {
    commerce: { reservations: ReservationBook; summaryOf: (show: string, now?: number) => ShowSummaryBody | undefined };
  }
}

/**
 * The show's commerce side, shared by the cart, summary and transcript routes: the reservation
 * book and the summaries (both pipeline consumers, built with the hub), and the timer that frees
 * expired reservations.
 */
export const commercePlugin = fp(
  async (app: FastifyInstance) => {
    const { hub } = app;
    const { reservations, summaryOf } = hub;
    const sweep = setInterval(() => {
      const { dropped } = reservations.dropExpired(Date.now() / 1000);
      if (dropped) app.log.debug({ dropped }, 'expired reservations dropped');
    }, hub.config.HUB_RESERVATION_CLEANUP_SECONDS * 1000);
    sweep.unref();

    app.decorate('commerce', { reservations, summaryOf });
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'showwire-commerce' },
);
