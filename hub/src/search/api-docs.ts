import type { OperationDocs } from '../openapi/document-routes.js';

/** The search route's words in the OpenAPI document (tag: Search). */
export const searchDocs: OperationDocs = {
  'GET /api/search': {
    summary: 'Search every show the token may read',
    description:
      'Words (all must match, stemmed), `"a phrase"`, `prefix*`, `a OR b`, with filters `shows`, `types`, `role`, `from`, `to`, `status`. Ranked by bm25; each result marks its matched words and links to the replay at that event. Staff and admin search every show, a host only its own (naming another is 403), a viewer only public types; agent and service tokens get 403. `complete: false` while the index catches up at start.',
  },
};
