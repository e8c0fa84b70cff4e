import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AccessToken } from 'livekit-server-sdk';
import { showParams, type ListenResponse } from '@showwire/protocol';
import { assertRole } from '../auth/access.js';
import { livekitUnconfigured } from '../livekit/errors.js';
import { listenResponse } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';

/**
 * `POST /api/shows/:show/listen` (staff, admin): a LiveKit token to hear a show's room without
 * being part of it: `hidden` (hosts, viewers and the agent never see the listener), subscribe
 * only (no publishing, no data). The identity names who listens, for LiveKit's own logs.
 */
export const listenRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app.hub;

  app.post('/api/shows/:show/listen', { schema: { params: showParams, response: { 201: listenResponse, ...errorResponses } } }, async (req, reply): Promise<ListenResponse> => {
    const principal = await req.principal();
    assertRole(principal, 'staff', 'admin');
    const { LIVEKIT_URL: url, LIVEKIT_API_KEY: key, LIVEKIT_API_SECRET: secret, LIVEKIT_TOKEN_TTL_SECONDS: ttl } = config;
    if (!url || !key || !secret) throw livekitUnconfigured();
    const identity = `listen-${principal.sub}-${randomUUID().slice(0, 8)}`.slice(0, 256);
    const at = new AccessToken(key, secret, { identity, name: principal.sub, ttl });
    const { show } = req.params;
    at.addGrant({ room: show, roomJoin: true, hidden: true, canSubscribe: true, canPublish: false, canPublishData: false, canUpdateOwnMetadata: false });
    reply.code(201);
    return { token: await at.toJwt(), url, roomName: show, identity, expiresAt: Math.floor(Date.now() / 1000) + ttl };
  });
};
