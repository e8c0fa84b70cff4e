import { z } from 'zod';
import { eventType, showId } from './names.js';

/** Types the hub publishes about webhooks (into the log, so they reach SSE and other endpoints too). */
export const WEBHOOK_ENDPOINT_DISABLED = 'webhook_endpoint_disabled';
/** The type of the body `POST /api/webhooks/endpoints/:id/test` sends (not stored in the log). */
export const WEBHOOK_TEST = 'webhook_test';

/** A Standard Webhooks secret: `whsec_` + base64 of 24 to 64 random bytes. */
export const webhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be "whsec_" followed by the base64 of 24 to 64 random bytes');

const webhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2048);
const typeFilter = z.array(eventType).min(1, 'omit "types" (or send null) for all types').max(200, 'at most 200 entries');
const showFilter = z.array(showId).min(1, 'omit "shows" (or send null) for all shows').max(1000, 'at most 1000 entries');

/** `POST /api/webhooks/endpoints`. Absent `types`/`shows` mean every type / every show. */
export const webhookEndpointCreateBody = z.object({
  url: webhookUrl,
  description: z.string().max(500).default(''),
  types: typeFilter.nullable().optional(),
  shows: showFilter.nullable().optional(),
  /** Bring your own secret (e.g. moving from another sender); generated when absent. */
  secret: webhookSecret.optional(),
  enabled: z.boolean().default(true),
});
export type WebhookEndpointCreateBody = z.input<typeof webhookEndpointCreateBody>;

/** `PATCH /api/webhooks/endpoints/:id`: only the fields sent change; `null` filters mean "all". */
export const webhookEndpointUpdateBody = z.object({
  url: webhookUrl.optional(),
  description: z.string().max(500).optional(),
  types: typeFilter.nullable().optional(),
  shows: showFilter.nullable().optional(),
  enabled: z.boolean().optional(),
});
export type WebhookEndpointUpdateBody = z.input<typeof webhookEndpointUpdateBody>;

export const webhookEndpointParams = z.object({
  id: z.string().regex(/^ep_[A-Za-z0-9_-]{1,64}$/, 'must be an endpoint id (ep_…)'),
});

/** `POST /api/webhooks/endpoints/:id/rotate-secret`: the old secret keeps signing for `graceSeconds`. */
export const webhookRotateSecretBody = z.object({
  secret: webhookSecret.optional(),
  graceSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(24 * 3600),
});
export type WebhookRotateSecretBody = z.input<typeof webhookRotateSecretBody>;

export const webhookDeliveryStatuses = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/** `GET /api/webhooks/deliveries`: newest first; `before` is the `next` of the previous page. */
export const webhookDeliveriesQuery = z.object({
  endpoint: webhookEndpointParams.shape.id.optional(),
  status: z.enum(webhookDeliveryStatuses).optional(),
  before: z.string().regex(/^\d+$/, 'must be a delivery id').optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(1000).default(100),
  /** Only deliveries of this event type. */
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must be an event type').optional(),
  /** Only deliveries of this show's events. */
  show: z.string().min(1).max(256).optional(),
  /** Only the delivery with this message id (the `webhook-id` header). */
  webhookId: z.string().min(1).max(256).optional(),
});

export const webhookDeliveryParams = z.object({ id: z.string().regex(/^\d{1,15}$/, 'must be a delivery id (digits)') });

/** `POST /api/webhooks/endpoints/:id/recover`: re-queue every failed delivery created at or after `since`. */
export const webhookRecoverBody = z.object({
  /** Epoch seconds, or an ISO 8601 date-time. */
  since: z.union([z.number().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s) / 1000)]),
});
export type WebhookRecoverBody = z.input<typeof webhookRecoverBody>;

/** An endpoint's settings as stored (every hub sees the same). */
export const webhookEndpointConfig = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  types: z.array(z.string()).nullable(),
  shows: z.array(z.string()).nullable(),
  enabled: z.boolean(),
  /** Why the hub disabled it: `gone` (410), `failing` (failed for days), `manual`. */
  disabledReason: z.string().nullable(),
  /** Epoch seconds of the first failure since the last success; null when healthy. */
  failingSince: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type WebhookEndpointConfig = z.infer<typeof webhookEndpointConfig>;

export const webhookBreakerStates = ['closed', 'open', 'half-open'] as const;
/** An endpoint's circuit breaker, as the hub that answers knows it. */
export const webhookBreaker = z
  .object({
    state: z.enum(webhookBreakerStates).describe('closed: attempts flow; open: none are sent until nextProbeAt; half-open: one probe decides'),
    nextProbeAt: z.number().nullable().describe('Epoch seconds when an open breaker lets its probe through; null unless open'),
    consecutiveFailures: z.number().int().describe('Failed attempts in a row (a success resets it)'),
  })
  .describe(
    'The circuit breaker of the hub that answered: it lives in that hub\'s memory (per hub, not shared through Redis; a restarted hub starts closed). With several hubs each keeps its own, and another hub may answer differently.',
  );
export type WebhookBreaker = z.infer<typeof webhookBreaker>;

/** An endpoint as the API shows it (the secret only on create, rotate and `GET …/secret`), with its breaker. */
export const webhookEndpoint = webhookEndpointConfig.extend({ breaker: webhookBreaker });
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;
/** `POST /api/webhooks/endpoints` answer: the endpoint and its secret. */
export const webhookEndpointCreated = webhookEndpoint.extend({ secret: z.string() });
export const webhookEndpointList = z.object({ endpoints: z.array(webhookEndpoint) });
export const webhookSecretResponse = z.object({ secret: z.string() });
export const webhookRotatedSecret = z.object({ secret: z.string(), previousSecretValidUntil: z.number().nullable() });
export const webhookRecovered = z.object({ requeued: z.number().int() });

export const webhookAttempt = z.object({
  at: z.number(),
  /** HTTP status; null when no answer came (timeout, refused, SSRF guard). */
  statusCode: z.number().int().nullable(),
  latencyMs: z.number(),
  error: z.string().nullable(),
  /** The first bytes of the response body. */
  response: z.string(),
});
export type WebhookAttempt = z.infer<typeof webhookAttempt>;

export const webhookDelivery = z.object({
  id: z.string(),
  /** The `webhook-id` header: the same on every attempt and redelivery. */
  webhookId: z.string(),
  endpointId: z.string(),
  eventId: z.string().nullable(),
  type: z.string(),
  show: z.string().nullable(),
  status: z.enum(webhookDeliveryStatuses),
  attempts: z.number().int(),
  nextAttemptAt: z.number().nullable(),
  createdAt: z.number(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDelivery>;
/** One delivery with its attempts and the body it sends (the portal shows it as sent). */
export const webhookDeliveryDetail = webhookDelivery.extend({ attemptLog: z.array(webhookAttempt), payload: z.string().nullable().optional() });
export const webhookDeliveryPage = z.object({ deliveries: z.array(webhookDelivery), next: z.string().nullable() });
