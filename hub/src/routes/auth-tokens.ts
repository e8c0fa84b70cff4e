import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mintedToken, mintTokenBody } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';
import { assertRole } from '../auth/access.js';
import { mintToken } from '../auth/tokens.js';
import { TOKEN_BODY_LIMIT } from '../security/index.js';

/** `POST /api/auth/tokens`: an admin mints hub tokens for hosts, agents, staff and viewers. */
export const authTokenRoutes: FastifyPluginAsyncZod = async (app) => {
  const options = { schema: { body: mintTokenBody, response: { 201: mintedToken, ...errorResponses } }, bodyLimit: TOKEN_BODY_LIMIT, config: { rateLimit: app.rateLimits.tokens } };
  app.post('/api/auth/tokens', options, async (req, reply) => {
    assertRole(await req.principal(), 'admin');
    const { sub, role, shows, ttlSeconds } = req.body;
    const { token, exp } = await mintToken(app.tokenKey, { sub, role, shows }, ttlSeconds);
    reply.code(201);
    return { token, sub, role, shows, exp };
  });
};
