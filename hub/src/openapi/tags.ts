/**
 * The document's sections: one tag per feature, in the order /docs shows them. Each feature
 * plugin tags its own routes (`documentRoutes`); a tag used but not declared here fails the
 * OpenAPI test, so a new feature declares its section here.
 */
export const apiTags = [
  { name: 'Ingest', description: 'Publishing events: one or a batch as JSON, or a long-lived NDJSON stream. Every write is validated, authorized and durable before the 2xx.' },
  { name: 'Streams', description: 'Reading live over Server-Sent Events, with resume from `Last-Event-ID` (or `?lastEventId=`) and no gap or duplicate.' },
  { name: 'Shows', description: 'Shows as the hub folds their events: the list, one show\'s live state, its history paged by id, products and the carousel, transcripts.' },
  { name: 'Commerce', description: 'Cart events and reservations, the show summary and revenue per currency.' },
  { name: 'Supervision', description: 'What support staff see and do: open alerts and their acknowledgement, agent controls, listening in, who watches a show.' },
  { name: 'Webhook endpoints', description: 'Admin only: webhook endpoints, their secrets, the delivery log with every attempt, redelivery. What the hub sends them is the Webhooks section.' },
  { name: 'LiveKit', description: 'LiveKit tokens, live rooms and their metadata, agent dispatch, thumbnails, and LiveKit\'s own webhook into the hub.' },
  { name: 'Live sessions', description: 'A server-side participant per room: start, stop, list, and its media over WebSocket.' },
  { name: 'Search', description: 'Full-text search over every show the token may read: transcripts, agent speech, tool calls and their errors, products, alerts and controls, ranked, with the matched words marked.' },
  { name: 'Recordings', description: 'What a live session recorded: the list per show, and each file (MP4 video, WAV audio, the Matroska original) served with Range.' },
  { name: 'Settings', description: 'Admin only: the LiveKit settings and the recording directory at run time (the live-sessions guide\'s `/api/config`); secrets are never shown.' },
  { name: 'Auth', description: 'Hub tokens (JWT, HS256): minting by an admin, and refreshing a session for the length of a show.' },
  { name: 'Health', description: 'Liveness, readiness and Prometheus metrics, for load balancers and monitoring.' },
  { name: 'Pages', description: 'What a browser loads: the dashboard, the host\'s studio, the stream-test and viewer pages and their files.' },
] as const;

export type ApiTag = (typeof apiTags)[number]['name'];
