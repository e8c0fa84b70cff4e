import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebhookEvent } from 'livekit-server-sdk';
import { z } from 'zod';
import { DEFAULT_SHOW, dispatchAgentBody, dispatchAgentResponse, livekitTokenQuery, livekitTokenResponse } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';
import { HttpError, unauthorized } from '../errors.js';
import { assertCanHost, identityFor, issueTokens } from '../livekit/access.js';
import { LIVEKIT_PRINCIPAL, showEventFor, validateShowEvent } from '../livekit/show-events.js';
import { createViewerCounter } from '../livekit/viewer-count.js';
import { dispatchAgent } from '../livekit/dispatch.js';

/**
 * `GET|POST /api/livekit/token` (integration audit, LiveKit setup), `POST /api/agent/start`
 * (agent streaming guide) and `POST /api/livekit/webhook` (LiveKit server → show events).
 */
export const livekitRoutes: FastifyPluginAsyncZod = async (app) => {
  const viewers = createViewerCounter(app.log);

  // `admin` asks for host grants, with the same access rule as /api/streaming/token.
  const token = async (req: FastifyRequest, q: { room: string; username: string; admin?: boolean }) => {
    const role = q.admin ? 'host' : 'viewer';
    const { token, url } = await issueTokens(app, q.room, await identityFor(app, req, q.room, q.username, role), role);
    return { token, url };
  };
  const response = { 200: livekitTokenResponse, ...errorResponses };
  app.get('/api/livekit/token', { schema: { querystring: livekitTokenQuery, response } }, (req) => token(req, req.query));
  app.post('/api/livekit/token', { schema: { body: livekitTokenQuery, response } }, (req) => token(req, req.body));

  // The guide's `curl -X POST /api/agent/start` sends no body: the default show and AGENT_NAME.
  app.post('/api/agent/start', { schema: { body: dispatchAgentBody.partial().nullish(), response: { 201: dispatchAgentResponse, ...errorResponses } } }, async (req, reply) => {
    const roomName = req.body?.roomName ?? DEFAULT_SHOW;
    assertCanHost(await req.principal(), roomName);
    reply.code(201);
    return dispatchAgent(app, { ...req.body, roomName });
  });

  // LiveKit signs the exact bytes it sends (sha256 in the JWT of `Authorization`): keep them raw.
  app.addContentTypeParser('application/webhook+json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const webhookSchema = {
    consumes: ['application/webhook+json'],
    // Checked by LiveKit's WebhookReceiver against the signed bytes, so it takes the raw text.
    body: z.unknown().meta({ type: 'string', description: "LiveKit's webhook JSON, signed in the Authorization header" }),
    response: { 200: z.object({ received: z.string(), published: z.number().int(), ids: z.array(z.string()).optional() }), ...errorResponses },
  };
  app.post('/api/livekit/webhook', { schema: webhookSchema }, async (req) => {
    const services = app.livekit();
    if (typeof req.body !== 'string') throw new HttpError('unsupported_media_type', 'LiveKit webhooks are sent as application/webhook+json');
    let ev: WebhookEvent;
    try {
      ev = await services.receiver.receive(req.body, req.headers.authorization);
    } catch (error) {
      throw unauthorized(`LiveKit webhook refused: ${(error as Error).message || 'signature check failed'}`);
    }
    const mapped = showEventFor(ev);
    if (!mapped) return { received: ev.event, published: 0 };
    const { event, viewer } = mapped;
    if (viewer) event.viewers = await viewers.after(services, event.show, viewer.identity, viewer.change);
    if (ev.event === 'room_finished') viewers.forget(event.show);
    const result = await app.hub.publish([validateShowEvent(event)], LIVEKIT_PRINCIPAL);
    return { received: ev.event, published: result.records.filter((r) => !r.duplicate).length, ids: result.ids };
  });
};
