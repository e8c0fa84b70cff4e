import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { z } from 'zod';
import { knownEventFields, storedEvent, WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TEST, type KnownEventType } from '@showwire/protocol';

/**
 * What the hub SENDS, as OpenAPI 3.1 `webhooks`: one entry per event type, its body the stored
 * event's JSON (generated from protocol's zod schemas, so it cannot drift from what is sent),
 * signed per Standard Webhooks. The words on when each type fires are docs/events.md's.
 */

/** The families of docs/events.md's table, so the document groups types the way the catalog does. */
const families: Record<KnownEventType, string> = {
  transcript: 'conversation', agent_speech_started: 'conversation', agent_speech_finished: 'conversation',
  agent_state: 'conversation', user_state: 'conversation', agent_ready: 'conversation', agent_waiting: 'conversation',
  agent_error: 'conversation', metrics: 'conversation',
  tool_call: 'tools and products', product_created: 'tools and products', product_added_to_show: 'tools and products',
  show_started: 'the show', show_ended: 'the show', show_metadata: 'the show', viewer_joined: 'the show', viewer_left: 'the show',
  turn_metrics: 'supervision', agent_session_closed: 'supervision', alert_raised: 'supervision', alert_resolved: 'supervision',
  alert_acknowledged: 'supervision', control: 'supervision',
  cart_event: "the show's story", order_placed: "the show's story", show_summary: "the show's story",
  audio_level: 'the room', recording_ready: 'the room', config_changed: "the hub's settings",
};

/** The stored event of a known type: the hub's fields, then the type's own, kept loose as sent. */
const storedEventOf = (type: KnownEventType) => storedEvent.extend({ type: z.literal(type), ...knownEventFields[type] });

/** The hub's own notices that reach endpoints (not in protocol's known types: no publisher may send them). */
const notices = {
  [WEBHOOK_ENDPOINT_DISABLED]: {
    family: 'webhooks',
    schema: storedEvent.extend({
      type: z.literal(WEBHOOK_ENDPOINT_DISABLED),
      endpointId: z.string(),
      description: z.string(),
      reason: z.enum(['gone', 'failing']).describe('gone: the endpoint answered 410; failing: every attempt failed for HUB_WEBHOOK_DISABLE_AFTER_DAYS'),
      failingSince: z.number().nullable().optional(),
    }),
    what: 'The hub disabled an endpoint (stored, so other endpoints that subscribe to it hear about it).',
  },
  [WEBHOOK_TEST]: {
    family: 'webhooks',
    schema: storedEvent.extend({ type: z.literal(WEBHOOK_TEST), endpointId: z.string() }),
    what: 'Sent by `POST /api/webhooks/endpoints/{id}/test` to that endpoint only; not stored in the log.',
  },
} as const;

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** Standard Webhooks' three headers, as every delivery carries them (hub/src/webhooks/signer.ts). */
const signedHeaders = [
  { name: 'webhook-id', description: '`msg_<event id>`: the same on every attempt and redelivery of one event, so a receiver dedupes on it.' },
  { name: 'webhook-timestamp', description: 'When this attempt was signed, epoch seconds. Refuse ones far from your clock (replays).' },
  {
    name: 'webhook-signature',
    description: '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{raw body}">` keyed with the base64 after `whsec_` of the endpoint\'s secret; during a rotation one per secret, space-separated. Verify with the `standardwebhooks` package or any Svix library.',
  },
].map((h) => ({ in: 'header', required: true, schema: { type: 'string' }, ...h }));

const answers = {
  '2XX': { description: 'Delivered. Answer fast (within HUB_WEBHOOK_TIMEOUT_MS, 15 s); do the work after.' },
  '410': { description: 'Gone: the delivery fails and the hub disables the endpoint.' },
  default: {
    description: 'Anything else (3xx, which is never followed, 4xx, 5xx, a timeout, a refused connection) is retried on HUB_WEBHOOK_SCHEDULE (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); on 429 or 503 a `Retry-After` sets the wait.',
  },
};

function operation(type: string, family: string, what: string, schema: z.ZodType) {
  return {
    post: {
      summary: `${type} (${family})`,
      description: `${what} The body is the event as stored, the same JSON as on SSE and in history. POSTed to every enabled endpoint whose \`types\` and \`shows\` filters match.`,
      operationId: `webhook_${type}`,
      parameters: signedHeaders,
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schema) } } },
      responses: answers,
    },
  };
}

type Webhooks = NonNullable<Extract<NonNullable<FastifyDynamicSwaggerOptions['openapi']>, { webhooks?: unknown }>['webhooks']>;

/** The document's `webhooks`: every known type, the hub's notices, and custom types. */
export function outgoingWebhooks(): Webhooks {
  const known = Object.entries(families).map(([type, family]) => [
    type,
    operation(type, family, `A \`${type}\` event (${family}; the event catalog, docs/events.md, says when it fires and who sends it).`, storedEventOf(type as KnownEventType)),
  ]);
  const hub = Object.entries(notices).map(([type, n]) => [type, operation(type, n.family, n.what, n.schema)]);
  const custom = operation('custom', 'custom', 'Any other type a publisher sent (matching `^[a-z][a-z0-9_.-]{0,63}$`), with all its fields as sent.', storedEvent);
  // The JSON Schemas are zod's output, which openapi-types can't see through.
  return Object.fromEntries([...known, ...hub, ['custom', custom]]) as Webhooks;
}
