import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mintedToken, mintTokenBody } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';
import { assertRole } from '../auth/access.js';
import { mintToken, ttlTooLong } from '../auth/tokens.js';
import { badRequest } from '../errors.js';
import { TOKEN_BODY_LIMIT } from '../security/index.js';

/** `POST /api/auth/tokens`: an admin mints hub tokens for hosts, agents, staff and viewers. */
export const authTokenRoutes: FastifyPluginAsyncZod = async (app) => {
  const options = { schema: { body: mintTokenBody, response: { 201: mintedToken, ...errorResponses } }, bodyLimit: TOKEN_BODY_LIMIT, config: { rateLimit: app.rateLimits.tokens } };
  app.post('/api/auth/tokens', options, async (req, reply) => {
    assertRole(await req.principal(), 'admin');
    const { sub, role, shows, ttlSeconds } = req.body;
    // A token this hub would refuse is not minted.
    const tooLong = ttlTooLong(ttlSeconds, app.hub.config.HUB_TOKEN_MAX_DAYS * 86400);
    if (tooLong) throw badRequest([{ path: 'ttlSeconds', message: tooLong }]);
    const { token, exp } = await mintToken(app.tokenKey, { sub, role, shows }, ttlSeconds);
    reply.code(201);
    return { token, sub, role, shows, exp };
  });
};
