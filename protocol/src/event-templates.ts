import { z } from 'zod';
import { knownEventFields, knownEventTypes, type KnownEventType } from './events.js';

/** A JSON Schema fragment, as `z.toJSONSchema` writes it (only what the template walker reads). */
interface JsonSchema {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minLength?: number;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** One known type, ready for a form: its fields' JSON Schema and an event that validates. */
export interface EventTemplate {
  type: KnownEventType;
  /** JSON Schema (draft 2020-12) of the type's own fields, without the envelope. */
  schema: Record<string, unknown>;
  /** A valid event of this type: realistic values where we have them, schema-derived otherwise. */
  template: Record<string, unknown>;
}

/** Values people recognise, so a template reads like a real show rather than `""` and `0`. */
const examples: Partial<Record<KnownEventType, Record<string, unknown>>> = {
  transcript: { text: 'Hello, how can I help you?', participant: 'agent_123', role: 'agent' },
  agent_speech_finished: { interrupted: false },
  agent_state: { state: 'listening', oldState: 'thinking' },
  user_state: { state: 'speaking', oldState: 'listening' },
  agent_ready: { message: 'Voice agent is ready and listening' },
  agent_waiting: { host: 'host-123', graceS: 120 },
  agent_error: { message: 'text-to-speech timed out; retrying', recoverable: true, code: 'tts_timeout' },
  tool_call: {
    name: 'create_product',
    args: { name: 'Linen summer dress', price: 49.9, currency: 'EUR' },
    output: { productId: 'prod-linen-dress' },
    durationMs: 412,
  },
  product_created: {
    product: { id: 'prod-linen-dress', name: 'Linen summer dress', price: 49.9, currency: 'EUR', description: 'Breathable linen, three colours' },
  },
  product_added_to_show: { productId: 'prod-linen-dress' },
  show_started: { title: 'Summer collection live' },
  show_ended: { reason: 'host ended the show' },
  show_metadata: { title: 'Summer collection live', thumbnailUrl: 'https://example.com/thumbs/summer.jpg' },
  viewer_joined: { viewers: 42, participant: 'viewer_7' },
  viewer_left: { viewers: 41, participant: 'viewer_7' },
  metrics: { kind: 'llm', ttftMs: 310, promptTokens: 812, completionTokens: 64 },
  cart_event: { productId: 'prod-linen-dress', action: 'add_to_cart', quantity: 1, userId: 'viewer_7' },
  config_changed: { changed: ['livekit_url'], by: 'admin:ops' },
  order_placed: { orderId: 'order-1042', userId: 'viewer_7', items: [{ productId: 'prod-linen-dress', quantity: 1, price: 49.9 }], total: 49.9, currency: 'EUR' },
  show_summary: {
    title: 'Summer collection live', status: 'ended', startedAt: 1695123000, endedAt: 1695126600, durationSeconds: 3600,
    viewers: { peak: 42, average: 31.5 }, products: { created: 3, onCarousel: 2 }, cart: { adds: 12, removes: 3, reserved: 2 },
    orders: { count: 5, revenue: { EUR: 249.5 } },
    perProduct: [{ productId: 'prod-linen-dress', name: 'Linen summer dress', adds: 8, removes: 2, orders: 5, revenue: { EUR: 249.5 } }],
    agent: { turns: 40, toolCalls: 6, toolFailures: 0, latencyP50Ms: 900, latencyP95Ms: 1800 }, alerts: { raised: 1, critical: 0 },
  },
};

/** The smallest value a schema accepts, for fields we have no example of. */
function sample(schema: JsonSchema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      return 'x'.repeat(schema.minLength ?? 0);
    case 'number':
    case 'integer':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sample(schema.properties?.[key] ?? {});
      return out;
    }
    default:
      return null;
  }
}

/** Templates for every known type, in `knownEventTypes` order (the stream-test page's send form). */
export function eventTemplates(): EventTemplate[] {
  return knownEventTypes.map((type) => {
    const schema = z.toJSONSchema(z.object(knownEventFields[type]), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const derived = sample(schema) as Record<string, unknown>;
    return { type, schema, template: { type, ...derived, ...examples[type] } };
  });
}
