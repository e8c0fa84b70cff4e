import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RefreshResponse } from '@showwire/protocol';
import { mintToken } from '../auth/tokens.js';
import { HttpError, unauthorized } from '../errors.js';
import { TOKEN_BODY_LIMIT } from '../security/index.js';
import { refreshResponse } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';

/**
 * `POST /api/auth/refresh`: a valid token buys a fresh one with the same claims and the same
 * lifetime, so a dashboard can stay signed in for a whole show. The session is bounded: no token
 * outlives `HUB_SESSION_MAX_HOURS` after the first sign-in (kept in the `auth_time` claim).
 */
export const authRefreshRoutes: FastifyPluginAsyncZod = async (app) => {
  const maxSeconds = app.hub.config.HUB_SESSION_MAX_HOURS * 3600;
  const options = { bodyLimit: TOKEN_BODY_LIMIT, config: { rateLimit: app.rateLimits.tokens }, schema: { response: { 200: refreshResponse, ...errorResponses } } };
  app.post('/api/auth/refresh', options, async (req): Promise<RefreshResponse> => {
    const p = await req.principal();
    if (p.exp === undefined || p.iat === undefined || p.authTime === undefined) {
      throw new HttpError('nothing_to_refresh', 'auth is off on this hub (HUB_AUTH=off), or the token has no iat claim: there is no session to refresh');
    }
    const now = Math.floor(Date.now() / 1000);
    const sessionExpiresAt = Math.floor(p.authTime) + maxSeconds;
    const left = sessionExpiresAt - now;
    if (left <= 0) {
      throw unauthorized(`the session began ${new Date(p.authTime * 1000).toISOString()}, more than HUB_SESSION_MAX_HOURS (${maxSeconds / 3600}) ago: sign in again`);
    }
    const ttl = Math.max(1, Math.min(p.exp - p.iat, left));
    const { token, exp } = await mintToken(app.tokenKey, { sub: p.sub, role: p.role, shows: p.shows ? [...p.shows] : ['*'] }, ttl, Math.floor(p.authTime));
    return { token, exp, sessionExpiresAt };
  });
};
