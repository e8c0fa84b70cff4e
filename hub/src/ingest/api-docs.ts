import type { OperationDocs } from '../openapi/document-routes.js';

/** The ingest routes' words in the OpenAPI document (tag: Ingest). */
export const ingestDocs: OperationDocs = {
  'POST /api/agent/data': {
    summary: 'Publish events (agent streaming guide path)',
    description: 'One event or an array. Each names its `show`, or goes to `default`. Agent, service or admin tokens; hub-only types are refused (403). Answers 201 with the hub ids once the events are durable (200 when every `eventId` was a retry), and `clients_notified`. 400 `validation_failed` names each bad field; 413 over the body limit; 429 over the rate limit.',
  },
  'POST /api/shows/:show/events': {
    summary: 'Publish events to a show',
    description: 'One event or a batch for the show in the path (an event naming another show is a 400). Agent, service or admin tokens covering the show. Durable before the 201 (200 when every `eventId` was already stored); retried `eventId`s get their first id back.',
  },
  'POST /api/shows/:show/events/stream': {
    summary: 'Publish over a long-lived NDJSON stream',
    description: 'Send `Content-Type: application/x-ndjson`, one event per line, for as long as you like; the answer streams one ack per line in line order (`{line, id}` once durable, or `{line, error, message}` for a refused line, which costs no other). Same tokens as the JSON routes. 415 without NDJSON; 503 `too_many_publish_streams` with `Retry-After`.',
  },
};
