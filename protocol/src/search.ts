import { z } from 'zod';
import { csv } from './api.js';
import { eventType, showId } from './names.js';

/** When a filter bound is given as a date (`2026-12-07`, ISO) or as epoch seconds, as events carry them. */
const instant = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : Date.parse(s) / 1000;
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: 'must be epoch seconds or an ISO 8601 date' });
      return z.NEVER;
    }
    return n;
  });

/** Query of `GET /api/search`. */
export const searchQuery = z.object({
  /** Words (all must match), `"a phrase"`, `prefix*`. */
  q: z.string().trim().min(1, 'must name at least one word').max(500, 'must be at most 500 characters'),
  shows: csv(showId).optional(),
  types: csv(eventType).optional(),
  /** Who spoke (transcripts) or acted: the host's side or the agent's. */
  role: z.enum(['user', 'agent']).optional(),
  from: instant.optional(),
  to: instant.optional(),
  /** The show's status now (its live state). */
  status: z.enum(['idle', 'live', 'ended']).optional(),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
});
export type SearchQuery = z.output<typeof searchQuery>;

/** A piece of a result's text; `mark` pieces are what matched the query. */
export const snippetPart = z.object({ text: z.string(), mark: z.boolean().optional() });

export const searchHit = z.object({
  id: z.string(),
  show: z.string(),
  type: z.string(),
  role: z.enum(['user', 'agent']).nullable(),
  /** The hub's clock when it took the event (epoch seconds): where the replay lands. */
  receivedAt: z.number(),
  /** bm25 relevance, lower is better (SQLite FTS5's convention). */
  rank: z.number(),
  snippet: z.array(snippetPart),
  /** The dashboard's replay of the show at this event. */
  link: z.string(),
});
export type SearchHit = z.infer<typeof searchHit>;

export const searchAnswer = z.object({
  results: z.array(searchHit),
  /** False while the index is still catching up with the log after a start (results may miss older events). */
  complete: z.boolean(),
});
export type SearchAnswer = z.infer<typeof searchAnswer>;

/** Where a search result leads: the replay of its show, at its moment, with the event named. */
export const replayLink = (show: string, receivedAt: number, id: string) => `/shows/${encodeURIComponent(show)}/replay?at=${receivedAt}#e${id}`;
