import type { OperationDocs } from '../openapi/document-routes.js';

/** The show routes' words in the OpenAPI document (tag: Shows). */
export const showDocs: OperationDocs = {
  'GET /api/shows': {
    summary: 'List shows',
    description: 'The shows the token may read, with their live state as the hub folds it (status, agent state, viewers, latency). Agent and service tokens get 403.',
  },
  'GET /api/shows/:show': {
    summary: "One show's live state",
    description: 'The show as `reduceShow` folds its events: status, agent and user state, transcript tail, products and carousel, alerts, latency percentiles. 404 when the show has no events yet.',
  },
  'GET /api/shows/:show/events': {
    summary: "A show's history, paged",
    description: 'Stored events in id order after `?after=`, up to `?limit=`; `next` is the `after` of the next page (null at the end), `truncated` says retention pruned events after `after`. Readers of the show; a viewer sees only public types.',
  },
  'POST /api/shows/:show/products': {
    summary: 'Create a product (agent tool)',
    description: "The voice agent's tool: publishes `product_created` for the show and answers the product. Agent, service or admin tokens covering the show.",
  },
  'POST /api/shows/:show/carousel': {
    summary: 'Put a product on the carousel (agent tool)',
    description: "Publishes `product_added_to_show`. The product must have been created in this show first (404 otherwise). Agent, service or admin tokens covering the show.",
  },
  'GET /api/shows/:show/transcript': {
    summary: "Download a show's transcript",
    description: 'Final lines only, as `?format=txt|vtt|srt|json`, with speakers and times from the show\'s start, as an attachment. Hosts of the show, staff and admin (viewers get 403); takes `?access_token=` so a plain link works. 404 when the show has no events.',
  },
};
