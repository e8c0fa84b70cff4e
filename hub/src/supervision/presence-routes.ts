import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { showParams, type PresenceNotice } from '@showwire/protocol';
import { assertCanRead } from '../auth/access.js';
import { forbidden } from '../errors.js';
import { presenceNotice } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';

/** `GET /api/shows/:show/presence`: who is watching the show now (staff, admin and its hosts may ask). */
export const presenceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/shows/:show/presence', { schema: { params: showParams, response: { 200: presenceNotice, ...errorResponses } } }, async (req): Promise<PresenceNotice> => {
    const principal = await req.principal();
    assertCanRead(principal, req.params.show);
    if (principal.role === 'viewer') throw forbidden('a viewer token cannot see who supervises a show');
    return await app.hub.presence.notice(req.params.show);
  });
};
