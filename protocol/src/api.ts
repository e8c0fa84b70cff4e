import { z } from 'zod';
import type { ingestResponse } from './answers.js';
import { eventType, showId } from './names.js';

/** The answer to every ingest POST (schema: `ingestResponse`). */
export type IngestResponse = z.infer<typeof ingestResponse>;

/** A comma-separated query parameter (`?types=a,b`) as a checked list. */
export const csv = (item: z.ZodString) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).max(200, 'at most 200 entries'));

/** Query of `GET /api/stream` and `GET /api/shows/:show/stream`. */
export const streamQuery = z.object({
  shows: csv(showId).optional(),
  types: csv(eventType).optional(),
  lastEventId: z.string().max(64).optional(),
  access_token: z.string().optional(),
});

/** Query of `GET /api/shows/:show/events`. */
export const historyQuery = z.object({
  after: z.string().regex(/^(0|[a-z0-9]{8}-[1-9]\d{0,14})$/, 'must be 0 or an event id from an earlier page or event').optional(),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(100),
  types: csv(eventType).optional(),
});

export const showParams = z.object({ show: showId });

export const roles = ['admin', 'staff', 'host', 'agent', 'service', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** The claims of a hub token. */
export const tokenClaims = z.object({
  sub: z.string().min(1).max(256),
  role: z.enum(roles),
  shows: z.array(z.union([showId, z.literal('*')])).min(1).max(1000),
  exp: z.number().int(),
});
export type TokenClaims = z.infer<typeof tokenClaims>;

/** `POST /api/auth/tokens` body. */
export const mintTokenBody = z.object({
  sub: z.string().min(1).max(256),
  role: z.enum(roles),
  shows: z.array(z.union([showId, z.literal('*')])).min(1).max(1000),
  /** Lifetime in seconds; default one day, at most a year. */
  ttlSeconds: z.number().int().min(1).max(365 * 24 * 3600).default(24 * 3600),
});
export type MintTokenBody = z.input<typeof mintTokenBody>;

const eventDocument = {
  type: 'object',
  properties: { type: { type: 'string', pattern: '^[a-z][a-z0-9_.-]{0,63}$' }, show: { type: 'string' }, timestamp: { type: 'number' }, eventId: { type: 'string' } },
  required: ['type'],
  additionalProperties: true,
};
/**
 * Ingest body: one event or an array of up to 1000. It is checked by `parseEventBatch` (which
 * names the failing event's path, `[3].product.price`), so the route's schema takes anything and
 * only documents the shape.
 */
export const eventBatchBody = z.unknown().meta({
  description: 'One event, or an array of up to 1000. Known types validate their fields (see the event schemas); custom types are kept whole.',
  anyOf: [eventDocument, { type: 'array', items: eventDocument, minItems: 1, maxItems: 1000 }],
});
