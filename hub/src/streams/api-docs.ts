import type { OperationDocs } from '../openapi/document-routes.js';

const resume = 'Resume with `Last-Event-ID` or `?lastEventId=`: history is replayed, then live events follow with no gap and no duplicate; a point older than retention gets a `history_truncated` event. A `heartbeat` message without `id:` (it never moves the resume point) comes every HUB_HEARTBEAT_MS. EventSource may pass the token as `?access_token=` or the `showwire_token` cookie.';

/** The SSE routes' words in the OpenAPI document (tag: Streams). */
export const streamDocs: OperationDocs = {
  'GET /api/stream': {
    summary: 'Stream events of every show (SSE)',
    description: `Server-Sent Events of the shows the token may read, filtered by \`?shows=a,b\` and \`?types=x,y\`; a viewer sees only public types. ${resume} 503 \`too_many_connections\` when the hub is full.`,
  },
  'GET /api/shows/:show/stream': {
    summary: "Stream one show's events (SSE)",
    description: `Server-Sent Events of one show, optionally filtered by \`?types=\`. Readers of the show (admin, staff, its host, its viewers for public types). ${resume}`,
  },
};
