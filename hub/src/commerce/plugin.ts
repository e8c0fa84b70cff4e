import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { summarizeShow, type ShowSummaryBody } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import { createReservationBook, type ReservationBook } from './reservation-book.js';

declare module 'fastify' {
  interface FastifyInstance {
    commerce: { reservations: ReservationBook; summaryOf: (show: string, now?: number) => ShowSummaryBody | undefined };
  }
}

/** Who the hub's own `show_summary` events are from. */
const SUMMARY_PUBLISHER: Principal = { sub: 'summary', role: 'admin', shows: null };

/**
 * The show's commerce side, shared by the cart, summary and transcript routes: the reservation
 * book (folded from the log), its cleanup timer, the summary of any show, and the `show_summary`
 * the hub publishes when a show ends (so webhooks carry it within seconds).
 */
export const commercePlugin = fp(
  async (app: FastifyInstance) => {
    const { hub } = app;
    const reservations = createReservationBook(hub.config.HUB_RESERVATION_MINUTES);
    const detach = await reservations.attach(hub.log);

    const summaryOf = (show: string, now = Date.now() / 1000) => {
      const state = hub.shows.get(show);
      return state && summarizeShow(state, { now, reserved: reservations.reserved(show, now) });
    };

    // The registry folded show_ended before this listener runs (it subscribed first, in createHub).
    // Publishing from inside a listener would re-enter the log's commit, so it waits a tick.
    // `eventId` ties the summary to its show_ended: a retry or a second hub stores it once.
    const offEnded = hub.log.onAppend((records) => {
      for (const r of records) {
        if (r.type !== 'show_ended' || r.duplicate) continue;
        setImmediate(() => {
          if (hub.isClosing()) return;
          const summary = summaryOf(r.show);
          if (!summary) return;
          const { show, ...fields } = summary;
          hub.publish([{ type: 'show_summary', show, eventId: `summary:${r.id}`, ...fields }], SUMMARY_PUBLISHER).catch((error: unknown) =>
            app.log.error({ err: error, show }, 'publishing show_summary failed'),
          );
        });
      }
    });

    const sweep = setInterval(() => {
      const { dropped } = reservations.dropExpired(Date.now() / 1000);
      if (dropped) app.log.debug({ dropped }, 'expired reservations dropped');
    }, hub.config.HUB_RESERVATION_CLEANUP_SECONDS * 1000);
    sweep.unref();

    app.decorate('commerce', { reservations, summaryOf });
    app.addHook('onClose', async () => {
      clearInterval(sweep);
      offEnded();
      detach();
    });
  },
  { name: 'showwire-commerce' },
);
