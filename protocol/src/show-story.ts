import { z } from 'zod';
import { cartActions } from './events.js';
import { showId } from './names.js';
import { revenueByCurrency } from './summary-schema.js';

export * from './summary-schema.js';

/**
 * The bodies of the show's story routes (docs/show-story.md): cart events,
 * reservations, the summary, batch revenue and transcript export.
 */

const productId = z.string().min(1).max(128);
const userId = z.string().min(1).max(256);
export const showIdParams = z.object({ showId });

/**
 * `POST /api/shows/:showId/cart-event`. A viewer posts for itself (`userId` is its token's
 * subject; another `userId` is refused); a service names the user.
 */
export const cartEventBody = z.object({
  productId,
  action: z.enum(cartActions),
  quantity: z.number().int('must be a whole number').positive('must be at least 1').max(10_000, 'must be at most 10,000').default(1),
  userId: userId.optional(),
});
export type CartEventBody = z.input<typeof cartEventBody>;

export const reservationSchema = z.object({
  productId,
  userId,
  quantity: z.number().int().nonnegative(),
  /** Epoch seconds (hub clock). */
  expiresAt: z.number(),
});
export type Reservation = z.infer<typeof reservationSchema>;

export const cartEventResponse = z.object({
  eventId: z.string(),
  /** The user's reservation of this product after the event; null once nothing is reserved. */
  reservation: reservationSchema.nullable(),
});

/** `GET /api/reservations/quantities?show=` */
export const reservationsQuery = z.object({ show: showId });
export const reservationQuantitiesResponse = z.object({
  show: showId,
  /** Items reserved (unexpired) per product id. */
  quantities: z.record(z.string(), z.number().int().nonnegative()),
});

/** `DELETE /api/reservations/cleanup` */
export const reservationCleanupResponse = z.object({
  /** Expired reservations dropped, and the items they held. */
  dropped: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
});

/** `POST /api/shows/batch-revenue` */
export const batchRevenueBody = z.object({ showIds: z.array(showId).min(1, 'name at least one show').max(500, 'at most 500 shows') });
export const batchRevenueResponse = z.object({ revenue: z.record(z.string(), revenueByCurrency) });

export const transcriptFormats = ['txt', 'vtt', 'srt', 'json'] as const;
/** `GET /api/shows/:show/transcript?format=` */
export const transcriptQuery = z.object({ format: z.enum(transcriptFormats).default('txt') });
export const transcriptJson = z.object({
  show: showId,
  /** Epoch seconds the relative times count from. */
  startedAt: z.number().nullable(),
  lines: z.array(
    z.object({
      id: z.string(),
      /** Seconds since the show started. */
      at: z.number(),
      timestamp: z.number(),
      speaker: z.string(),
      role: z.enum(['user', 'agent']),
      participant: z.string().optional(),
      text: z.string(),
    }),
  ),
});
export type TranscriptJson = z.infer<typeof transcriptJson>;
