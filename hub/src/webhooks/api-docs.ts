import type { OperationDocs } from '../openapi/document-routes.js';

const admin = 'Admin token.';

/** The webhook routes' words in the OpenAPI document (tag: Webhooks). What the hub sends is openapi/outgoing-webhooks.ts. */
export const webhookDocs: OperationDocs = {
  'POST /api/webhooks/endpoints': {
    summary: 'Create an endpoint',
    description: `A URL and optional \`types\`/\`shows\` filters (absent: all); answers 201 with its \`whsec_…\` secret. ${admin} 400 \`webhook_url_refused\` for a non-http(s) URL or a private address.`,
  },
  'GET /api/webhooks/endpoints': { summary: 'List endpoints', description: `Every endpoint with its filters and state, never its secret. ${admin}` },
  'GET /api/webhooks/endpoints/:id': { summary: 'One endpoint', description: `The endpoint without its secret. ${admin} 404 for an unknown id.` },
  'PATCH /api/webhooks/endpoints/:id': { summary: 'Change an endpoint', description: `Only the fields sent change; \`null\` filters mean all. ${admin}` },
  'DELETE /api/webhooks/endpoints/:id': { summary: 'Delete an endpoint', description: `The endpoint and its delivery log go; nothing more is sent. ${admin} 404 for an unknown id.` },
  'POST /api/webhooks/endpoints/:id/enable': { summary: 'Enable an endpoint', description: `Deliveries resume for new events (recover to resend old failures). ${admin}` },
  'POST /api/webhooks/endpoints/:id/disable': { summary: 'Disable an endpoint', description: `Its pending deliveries fail; nothing more is sent. ${admin}` },
  'GET /api/webhooks/endpoints/:id/secret': { summary: "An endpoint's secret", description: `The \`whsec_…\` secret receivers verify signatures with. ${admin}` },
  'POST /api/webhooks/endpoints/:id/rotate-secret': {
    summary: 'Rotate the secret',
    description: `A new secret (given or generated); the old one keeps signing beside it for \`graceSeconds\` (default a day). ${admin}`,
  },
  'POST /api/webhooks/endpoints/:id/test': {
    summary: 'Send a test message',
    description: `Queues a \`webhook_test\` message to this endpoint only (not stored in the log); answers the delivery to follow. ${admin} 409 \`endpoint_disabled\`.`,
  },
  'POST /api/webhooks/endpoints/:id/recover': { summary: 'Resend failures since a time', description: `Re-queues the endpoint's failed deliveries since \`since\` (epoch seconds or ISO date). ${admin}` },
  'GET /api/webhooks/deliveries': {
    summary: 'The delivery log',
    description: `Deliveries newest first, filtered by \`endpoint\` and \`status\`; page with \`before\` = the previous page's \`next\`. ${admin}`,
  },
  'GET /api/webhooks/deliveries/:id': { summary: 'One delivery with its attempts', description: `The body as sent and every attempt: time, status code, latency, the start of the answer, the error. ${admin}` },
  'POST /api/webhooks/deliveries/:id/redeliver': { summary: 'Redeliver', description: `Sends the delivery again with the same \`webhook-id\` (receivers dedupe on it). ${admin}` },
};
