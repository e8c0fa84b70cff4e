import type { OperationDocs } from '../openapi/document-routes.js';

/** The supervision routes' words in the OpenAPI document (tag: Supervision). */
export const supervisionDocs: OperationDocs = {
  'GET /api/alerts': {
    summary: 'Open alerts',
    description: 'The alerts open now across the shows the token covers, or one `?show=`. Staff, admin, and hosts for their shows.',
  },
  'POST /api/shows/:show/alerts/:alertId/ack': {
    summary: 'Acknowledge an alert',
    description: 'Publishes `alert_acknowledged` with who did it. Staff, admin, or the show\'s host. 404 when the alert is not open; 409 `already_acknowledged` names who was first.',
  },
  'POST /api/shows/:show/control': {
    summary: "Act on a show's agent",
    description: '`say`, `pause`, `resume`, `end_agent`, `redispatch` or `end_show`, answered with the outcome; every attempt publishes a `control` event (the audit trail). Staff and admin may do all; a host may `say`, `pause`, `resume` and `end_agent` on its own show. 409 `agent_not_present`; 502 when the agent refused or timed out; 503 when LiveKit is unreachable or not configured.',
  },
  'POST /api/shows/:show/listen': {
    summary: 'Listen in on a show',
    description: "A hidden, subscribe-only LiveKit token for the show's room: nobody in the room sees the listener. Staff and admin. 503 `livekit_unconfigured` when the hub has no LiveKit.",
  },
  'GET /api/shows/:show/presence': {
    summary: 'Who is watching a show',
    description: "The staff and host dashboards on the show's stream now, with role and since when. Readers of the show except viewers.",
  },
};
