import { z } from 'zod';
import { showId } from './names.js';

/**
 * The show summary's fields (docs/show-story.md), apart from the routes' bodies so that
 * `events.ts` can type `show_summary` with them without an import cycle.
 */

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"');
const amount = z.number().finite();
/** Amounts per currency: never summed across currencies. */
export const revenueByCurrency = z.record(currencyCode, amount);
export type RevenueByCurrency = z.infer<typeof revenueByCurrency>;

const productId = z.string().min(1).max(128);
const count = z.number().int().nonnegative();

/** The summary's fields; `show_summary` events carry them flat beside the envelope. */
export const showSummaryFields = {
  title: z.string().nullable(),
  status: z.enum(['idle', 'live', 'ended']),
  /** Epoch seconds; null before the show started. */
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  durationSeconds: z.number().nonnegative().nullable(),
  /** Average is over time (viewer-seconds / duration). */
  viewers: z.object({ peak: count, average: z.number().nonnegative() }),
  products: z.object({ created: count, onCarousel: count }),
  /** Items added, removed, and still reserved (unexpired) when the summary was made. */
  cart: z.object({ adds: count, removes: count, reserved: count }),
  orders: z.object({ count, revenue: revenueByCurrency }),
  perProduct: z.array(
    z.object({
      productId,
      name: z.string().nullable(),
      adds: count,
      removes: count,
      /** Items ordered. */
      orders: count,
      revenue: revenueByCurrency,
    }),
  ),
  agent: z.object({
    turns: count,
    toolCalls: count,
    toolFailures: count,
    latencyP50Ms: z.number().nullable(),
    latencyP95Ms: z.number().nullable(),
  }),
  alerts: z.object({ raised: count, critical: count }),
};


export const showSummarySchema = z.object({ show: showId, ...showSummaryFields });
export type ShowSummaryBody = z.infer<typeof showSummarySchema>;

