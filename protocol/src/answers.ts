import { z } from 'zod';
import { agentStates, alertSeverities, productSchema, userStates } from './events.js';
import { latencyFields, type ShowState } from './show-model.js';
import { revenueByCurrency } from './summary-schema.js';

/**
 * The hub's answers as zod schemas: the hub's routes declare them as response schemas (so an
 * answer is serialized through them and nothing unlisted leaves the hub), the OpenAPI document is
 * generated from them, and the dashboard and the CLI parse what they receive with them.
 */

/** One thing wrong with a request, named so a person can fix it. */
export const issue = z.object({
  /** Where, as a JSON path: `[3].product.price`, `show`, `limit`. */
  path: z.string(),
  message: z.string(),
});

/** The body of every 4xx/5xx the hub sends; `error` is a code of the hub's catalogue (hub/src/errors.ts). */
export const errorBody = z.object({ error: z.string(), message: z.string(), issues: z.array(issue).optional() });

export type Issue = z.infer<typeof issue>;
export type ErrorBody = z.infer<typeof errorBody>;

/** Any stored event: the hub's fields, then the event's own, kept as sent. */
export const storedEvent = z.looseObject({
  id: z.string(),
  show: z.string(),
  type: z.string(),
  timestamp: z.number(),
  receivedAt: z.number(),
  source: z.string(),
  eventId: z.string().optional(),
});

/** The answer to every ingest POST, as the agent streaming guide's clients read it. */
export const ingestResponse = z.object({
  /** One hub id per posted event, in order (a retried `eventId` gets its first id back). */
  ids: z.array(z.string()),
  /** SSE connections the events were queued to. */
  clients_notified: z.number().int(),
});

/** `GET /api/shows/:show/events`: a page of history; `next` is the `after` of the next page, null at the end. */
export const historyPage = z.object({
  events: z.array(storedEvent),
  next: z.string().nullable(),
  /** Events after `after` were pruned by retention. */
  truncated: z.boolean(),
});
export type HistoryPage = z.infer<typeof historyPage>;

/** The hub's own stream messages (no `id:`, never stored). */
export const historyTruncatedNotice = z.object({
  type: z.literal('history_truncated'),
  /** `retention`: events after the resume point were pruned; `unknown_resume_point`: this log never issued it. */
  reason: z.string(),
  lastEventId: z.string().optional(),
  timestamp: z.number(),
});
export type HistoryTruncatedNotice = z.infer<typeof historyTruncatedNotice>;
export const heartbeatNotice = z.object({ type: z.literal('heartbeat'), timestamp: z.number() });
export type HeartbeatNotice = z.infer<typeof heartbeatNotice>;

const transcriptLine = z.object({
  id: z.string(),
  itemId: z.string().optional(),
  participant: z.string().optional(),
  role: z.enum(['user', 'agent']),
  text: z.string(),
  final: z.boolean(),
  timestamp: z.number(),
});

const action = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('tool_call'),
    id: z.string(),
    timestamp: z.number(),
    name: z.string(),
    args: z.record(z.string(), z.unknown()),
    output: z.unknown().optional(),
    isError: z.boolean(),
    durationMs: z.number(),
  }),
  z.object({ kind: z.literal('product_created'), id: z.string(), timestamp: z.number(), product: productSchema }),
  z.object({ kind: z.literal('product_added_to_show'), id: z.string(), timestamp: z.number(), productId: z.string() }),
  z.object({ kind: z.literal('control'), id: z.string(), timestamp: z.number(), action: z.string(), by: z.string(), ok: z.boolean(), text: z.string().optional(), error: z.string().optional() }),
  z.object({ kind: z.literal('agent_error'), id: z.string(), timestamp: z.number(), message: z.string() }),
]);

const latencyStats = z.object({ p50: z.number(), p95: z.number(), count: z.number() });
const latencyFigures = <T extends z.ZodType>(of: T) =>
  z.object(Object.fromEntries(latencyFields.map((f) => [f, of.optional()])) as Record<(typeof latencyFields)[number], z.ZodOptional<T>>);

/** An open alert as a show's state and `GET /api/alerts` carry it (show-state.ts `OpenAlert`). */
export const openAlert = z.object({
  alertId: z.string(),
  rule: z.string(),
  severity: z.enum(alertSeverities),
  message: z.string(),
  id: z.string(),
  raisedAt: z.number(),
  acknowledged: z.object({ by: z.string(), at: z.number() }).optional(),
});

/** The fields a show's state and its list entry share. */
const showCommon = {
  show: z.string(),
  status: z.enum(['idle', 'live', 'ended']),
  title: z.string().optional(),
  thumbnailUrl: z.string().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  agentState: z.enum(agentStates).optional(),
  userState: z.enum(userStates).optional(),
  agentSpeaking: z.boolean(),
  agentReady: z.boolean(),
  agentWaiting: z.boolean(),
  viewers: z.number(),
  productOrder: z.array(z.string()),
  carousel: z.array(z.string()),
  lastError: z.object({ message: z.string(), at: z.number() }).optional(),
  lastActivity: z.number().optional(),
  lastAgentActivity: z.number().optional(),
  lastEventId: z.string().optional(),
  eventCount: z.number(),
  agentClosed: z.object({ reason: z.string(), at: z.number() }).optional(),
  turns: z.array(z.object({ id: z.string(), timestamp: z.number(), turnId: z.string().optional() }).extend(latencyFigures(z.number()).shape)),
  latency: latencyFigures(latencyStats),
  // Open alerts (the wall ranks by them); viewers don't get them (auth/visibility.ts).
  alerts: z.array(openAlert).optional(),
};

/** `GET /api/shows/:show`: a show's live state (the hub keeps the tail of its transcript and actions). */
export const showState = z.object({
  ...showCommon,
  // `[receivedAt, viewers]` pairs. Not z.tuple: its `prefixItems` (OpenAPI 3.1) is what
  // schemathesis 4 cannot read, so the pair is an array of two, typed as the pair it is.
  viewerHistory: z.array(z.array(z.number()).length(2) as unknown as z.ZodType<[number, number]>),
  transcript: z.array(transcriptLine),
  products: z.record(z.string(), productSchema),
  actions: z.array(action),
  // The whole show's counters (story-state.ts); viewers don't get them (auth/visibility.ts).
  story: z
    .object({
      toolCalls: z.number(), toolFailures: z.number(), turns: z.number(), alertsRaised: z.number(), alertsCritical: z.number(),
      viewerPeak: z.number(), viewerSeconds: z.number(), viewersSince: z.number().optional(),
      cartAdds: z.number(), cartRemoves: z.number(), orders: z.number(), revenue: revenueByCurrency,
      perProduct: z.record(z.string(), z.object({ adds: z.number(), removes: z.number(), orders: z.number(), revenue: revenueByCurrency })),
    })
    .optional(),
});

/** `GET /api/shows` lists each show like this: its state without the long arrays. */
export const showListItem = z.object({ ...showCommon, lastTranscript: transcriptLine.optional(), productCount: z.number().int() });
export type ShowListItem = z.infer<typeof showListItem>;
export const showList = z.object({ shows: z.array(showListItem) });

/** `POST /api/auth/tokens` answer. */
export const mintedToken = z.object({ token: z.string(), sub: z.string(), role: z.string(), shows: z.array(z.string()), exp: z.number().int() });

// The reducer's state and its schema must not drift apart: a field added to one and not the
// other fails the build here (an unlisted field would otherwise be dropped from the answer).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stateMatches: Same<z.output<typeof showState>, Omit<ShowState, 'story' | 'alerts'> & Partial<Pick<ShowState, 'story' | 'alerts'>>> = true;
void stateMatches;
