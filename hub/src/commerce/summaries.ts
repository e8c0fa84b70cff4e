import { summarizeShow, type ShowSummaryBody } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { Consumer, Derived } from '../pipeline/consumer.js';
import { summaryEventId } from '../pipeline/publish-policy.js';
import type { ShowRegistry } from '../shows/show-registry.js';
import type { ReservationBook } from './reservation-book.js';

/** Who the hub's own `show_summary` events are from. */
const SUMMARY_PUBLISHER: Principal = { sub: 'summary', role: 'admin', shows: null, hub: true };

/**
 * The summary of any show, and the `show_summary` the hub publishes when a show ends (so webhooks
 * carry it within seconds). As a consumer it runs after the show registry and the reservation
 * book in the pipeline's declared order, so the summary includes the `show_ended` itself.
 */
export function createSummaries(deps: { shows: ShowRegistry; reservations: ReservationBook }) {
  const summaryOf = (show: string, now = Date.now() / 1000): ShowSummaryBody | undefined => {
    const state = deps.shows.get(show);
    return state && summarizeShow(state, { now, reserved: deps.reservations.reserved(show, now) });
  };

  const consumer: Consumer = {
    name: 'summaries',
    apply(records) {
      const out: Derived[] = [];
      for (const r of records) {
        if (r.type !== 'show_ended') continue;
        const summary = summaryOf(r.show);
        if (!summary) continue;
        const { show, ...fields } = summary;
        // `eventId` ties the summary to its show_ended: a retry or a second hub stores it once.
        out.push({ by: SUMMARY_PUBLISHER, events: [{ type: 'show_summary', show, eventId: summaryEventId(r.id), ...fields }] });
      }
      return out;
    },
  };
  return { summaryOf, consumer };
}
