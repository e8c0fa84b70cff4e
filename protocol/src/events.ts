import { z } from 'zod';
import { eventType, showId } from './names.js';
import { recordingFile } from './recordings.js';
import { showSummaryFields } from './summary-schema.js';
import { WEBHOOK_ENDPOINT_DISABLED } from './webhooks.js';

/**
 * Every event is one flat JSON object, the same on the way in, in the log, on SSE and in
 * webhooks. Known types validate their own fields; unknown fields are kept (publishers of the
 * agent streaming guide add their own), so every schema here is a loose object.
 */

/** Fields the producer may set on any event. `id`, `receivedAt` and `source` belong to the hub. */
const envelope = {
  show: showId.optional(),
  timestamp: z.number().finite().positive('must be epoch seconds').optional(),
  eventId: z.string().min(1).max(128).optional(),
};

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

const ms = z.number().finite().nonnegative().max(3_600_000, 'must be at most 3,600,000 ms');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"');

export const alertSeverities = ['info', 'warning', 'critical'] as const;
export const controlActions = ['say', 'pause', 'resume', 'end_agent', 'redispatch', 'end_show'] as const;
export const cartActions = ['add_to_cart', 'remove_from_cart'] as const;

export const agentStates = ['initializing', 'idle', 'listening', 'thinking', 'speaking'] as const;
export const userStates = ['speaking', 'listening', 'away'] as const;

export const productSchema = z.looseObject({
  id: text(128).min(1),
  name: text(200).min(1),
  price: z.number().finite().nonnegative(),
  currency,
  description: text(2000).optional(),
  imageUrl: text(2048).optional(),
});
export type Product = z.infer<typeof productSchema>;

/** The fields of each known type, without the envelope. */
export const knownEventFields = {
  transcript: {
    text: text(10_000),
    participant: text(256).optional(),
    role: z.enum(['user', 'agent']).optional(),
    final: z.boolean().default(true),
    itemId: text(128).optional(),
  },
  agent_speech_started: {},
  agent_speech_finished: { interrupted: z.boolean().optional() },
  agent_state: { state: z.enum(agentStates), oldState: z.enum(agentStates).optional() },
  user_state: { state: z.enum(userStates), oldState: z.enum(userStates).optional() },
  agent_ready: { message: text(2000).optional() },
  /**
   * The agent is in the room and waits for its host (before `agent_ready`): `host` is the identity
   * the dispatch named, if any; `graceS` how long it waits before giving up.
   */
  agent_waiting: { host: text(256).optional(), graceS: z.number().finite().nonnegative().optional() },
  agent_error: { message: text(4000), recoverable: z.boolean().optional(), code: text(128).optional() },
  tool_call: {
    name: text(128).min(1),
    args: z.record(z.string(), z.unknown()).default({}),
    output: z.unknown().optional(),
    isError: z.boolean().default(false),
    durationMs: z.number().finite().nonnegative(),
    callId: text(128).optional(),
  },
  product_created: { product: productSchema },
  product_added_to_show: { productId: text(128).min(1) },
  show_started: { title: text(300).optional() },
  show_ended: { reason: text(300).optional() },
  show_metadata: { title: text(300).optional(), thumbnailUrl: text(2048).optional() },
  viewer_joined: { viewers: z.number().int().nonnegative(), participant: text(256).optional() },
  viewer_left: { viewers: z.number().int().nonnegative(), participant: text(256).optional() },
  metrics: { kind: text(64).min(1) },

  // Supervision (docs/supervision.md). Each latency figure is optional: a turn without TTS has no ttsTtfbMs.
  turn_metrics: {
    turnId: text(128).optional(),
    eouDelayMs: ms.optional(),
    sttMs: ms.optional(),
    llmTtftMs: ms.optional(),
    ttsTtfbMs: ms.optional(),
    e2eMs: ms.optional(),
  },
  agent_session_closed: { reason: text(300) },
  alert_raised: {
    alertId: text(128).min(1),
    rule: text(64).min(1),
    severity: z.enum(alertSeverities),
    message: text(2000),
  },
  alert_resolved: { alertId: text(128).min(1), message: text(2000).optional() },
  alert_acknowledged: { alertId: text(128).min(1), by: text(256).min(1) },
  control: {
    action: z.enum(controlActions),
    by: text(256).min(1),
    ok: z.boolean(),
    text: text(2000).optional(),
    error: text(2000).optional(),
  },

  // The show's story (docs/show-story.md). Quantities count items.
  cart_event: {
    productId: text(128).min(1),
    action: z.enum(cartActions),
    quantity: z.number().int().positive().max(10_000),
    userId: text(256).min(1),
    /** Until when an add holds the items (epoch seconds); the hub sets it from HUB_RESERVATION_MINUTES. */
    reservedUntil: z.number().finite().positive().optional(),
  },
  order_placed: {
    orderId: text(128).min(1),
    userId: text(256).min(1),
    items: z
      .array(z.object({ productId: text(128).min(1), quantity: z.number().int().positive(), price: z.number().finite().nonnegative() }))
      .min(1)
      .max(500),
    total: z.number().finite().nonnegative(),
    currency,
  },
  /** The summary's fields, flat, as `GET /api/shows/:showId/summary` answers them (summary-schema.ts). */
  show_summary: showSummaryFields,

  // Into the room (docs/livekit-and-agent.md).
  audio_level: {
    participant: text(256).optional(),
    /** Share of the window the participant spoke, 0..1. */
    speakingFraction: z.number().min(0).max(1),
    /** Mean level over the window, dBFS (≤ 0). */
    levelDbfs: z.number().finite().max(0),
    windowMs: ms.optional(),
  },
  /** `PUT /api/config` changed the hub's settings: which ones and by whom, never a value (secrets among them). */
  config_changed: { changed: z.array(text(64)).min(1).max(10), by: text(256).min(1) },
  recording_ready: {
    path: text(2048).min(1),
    sessionId: text(128).optional(),
    durationSeconds: z.number().finite().nonnegative().optional(),
    /** The finished files (MP4 video, WAV audio, the Matroska original), with sizes and checksums. */
    files: z.array(recordingFile).max(10).optional(),
  },
} as const;

export type KnownEventType = keyof typeof knownEventFields;
export const knownEventTypes = Object.keys(knownEventFields) as KnownEventType[];

/** Types the hub emits itself and never stores; publishers may not use them. */
export const hubOnlyTypes = ['heartbeat', 'history_truncated', 'presence'] as const;

/**
 * Stored types only the hub writes (its alerts, the acknowledgement and control audit trail, the
 * show summary, recordings, its webhook notice): the hub refuses them to every token, admins
 * included, on every publishing route; a replayed show leaves them out.
 */
export const hubWrittenTypes = [
  'alert_raised',
  'alert_resolved',
  'alert_acknowledged',
  'control',
  'show_summary',
  'recording_ready',
  'config_changed',
  WEBHOOK_ENDPOINT_DISABLED,
] as const;

/**
 * Known types the hub publishes itself (alerts, the audit trail, summaries, the room monitor and
 * recordings). Only the hub writes most of them (`hubWrittenTypes`); a simulated show leaves all of them to the hub.
 */
export const hubPublishedTypes = [
  'alert_raised',
  'alert_resolved',
  'alert_acknowledged',
  'control',
  'show_summary',
  'audio_level',
  'recording_ready',
  'config_changed',
] as const satisfies readonly KnownEventType[];

/** What a viewer token may see: what the show's public screen shows anyway. */
export const publicEventTypes = [
  'product_created',
  'product_added_to_show',
  'show_started',
  'show_ended',
  'show_metadata',
  'viewer_joined',
  'viewer_left',
] as const satisfies readonly KnownEventType[];

type Fields<T extends KnownEventType> = (typeof knownEventFields)[T];

const inputSchema = <T extends KnownEventType>(type: T) =>
  z.looseObject({ type: z.literal(type), ...envelope, ...(knownEventFields[type] as Fields<T>) });

export const knownEventInputSchemas = Object.fromEntries(
  knownEventTypes.map((t) => [t, inputSchema(t)]),
) as { [T in KnownEventType]: ReturnType<typeof inputSchema<T>> };

/** A custom event: any type matching the pattern, all fields kept as sent. */
export const customEventInputSchema = z.looseObject({ type: eventType, ...envelope });

/** Fields the hub sets on every stored event. */
export interface StoredFields {
  /** Opaque, strictly increasing in the order the hub accepted events; the SSE `id:`. */
  id: string;
  show: string;
  /** Producer's clock, epoch seconds (filled by the hub when absent). */
  timestamp: number;
  /** Hub's clock, epoch seconds. */
  receivedAt: number;
  /** Who published it: `<role>:<sub>` of the publisher's token. */
  source: string;
  eventId?: string;
}

/** Strict objects of each type's own fields: the loose input schemas' index signature would swallow them in types. */
type KnownFieldObjects = { [T in KnownEventType]: z.ZodObject<Fields<T>> };

type KnownOf<T extends KnownEventType> = z.output<KnownFieldObjects[T]> & StoredFields & { type: T };

/** A stored event of a known type, as read from the log, SSE or a webhook. */
export type KnownEvent = { [T in KnownEventType]: KnownOf<T> }[KnownEventType];

/** Any stored event: known types narrow on `type`, custom ones carry their own fields. */
export type HubEvent = KnownEvent | (StoredFields & { type: string; [field: string]: unknown });

export type EventInput = { type: string; show?: string; timestamp?: number; eventId?: string; [field: string]: unknown };

/** An input of a known type, with that type's fields checked by the compiler (publishers that post only known types use it). */
export type KnownEventInput = { [T in KnownEventType]: z.input<(typeof knownEventInputSchemas)[T]> }[KnownEventType];

export function isKnownType(type: string): type is KnownEventType {
  return Object.hasOwn(knownEventFields, type);
}
