import type { OperationDocs } from '../openapi/document-routes.js';

/** The pages' words in the OpenAPI document (tag: Pages). All public: they hold no data, the API routes check the token. */
export const pageDocs: OperationDocs = {
  'GET /': { summary: 'The dashboard', description: 'The built dashboard (React); sign in with a hub token. Public page, no data in it.' },
  'GET /*': {
    summary: 'Dashboard routes and assets',
    description: "The dashboard's files (hashed assets cached for a year) and, for any other non-API path such as `/studio/{show}`, its `index.html`. `/api/...` paths that match no route get 404 in the error shape.",
  },
  'GET /stream-test': { summary: 'The stream-test page', description: 'A zero-build page to send events and watch streams by hand.' },
  'GET /stream-test/templates.json': {
    summary: 'Event templates',
    description: 'A JSON Schema and a valid example for every known event type, from protocol (the stream-test page\'s send form).',
  },
  'GET /stream-test/watch': { summary: 'Live Now', description: 'The viewer page\'s grid of live shows.' },
  'GET /stream-test/watch/:show': { summary: "A show's viewer page", description: 'Video, the carousel from the room\'s data channel, add to cart and the viewer count, with a viewer token.' },
  'GET /stream-test/vendor/livekit-client.umd.js': { summary: 'livekit-client for the viewer page', description: 'The UMD build, served by the hub so the page needs no CDN.' },
};
