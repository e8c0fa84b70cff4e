import type { OperationDocs } from '../openapi/document-routes.js';

/** The health routes' words in the OpenAPI document (tag: Health). */
export const healthDocs: OperationDocs = {
  'GET /healthz': { summary: 'Liveness', description: 'Answers 200 while the process serves HTTP. No token.' },
  'GET /readyz': {
    summary: 'Readiness',
    description: 'Ready when the log takes a write (free space, data directory, a probe of SQLite or Redis); 503 with the reason while draining or when storage fails. Warns when auth is off. No token.',
  },
  'GET /metrics': { summary: 'Prometheus metrics', description: 'Prometheus text: events, streams, webhooks, latency. Staff or admin token.' },
};
