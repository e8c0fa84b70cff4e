import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { unauthorized } from '../errors.js';
import { OPEN_PRINCIPAL, type Principal } from './access.js';
import { verifyToken } from './tokens.js';

const TOKEN_COOKIE = 'showwire_token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; throws 401 when the request carries no valid token. */
    principal(): Promise<Principal>;
  }
}

/** EventSource can only GET; tokens outside the Authorization header are taken on safe methods only. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The token from `Authorization: Bearer`, else (GET/HEAD only) the `access_token` query parameter
 * (EventSource can't set headers), else the cookie. Query and cookie are refused on POST/PUT/…:
 * a cookie rides along on cross-site form posts (CSRF), and no client needs either there.
 * The query is read from the raw URL, so a route's querystring schema can't strip it.
 * Answers '' for an Authorization header that is not a Bearer token.
 */
export function findToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m ? m[1] : '';
  }
  if (!SAFE_METHODS.has(req.method)) return undefined;
  const q = req.url.indexOf('?');
  const fromQuery = q >= 0 ? new URLSearchParams(req.url.slice(q + 1)).get('access_token') : null;
  if (fromQuery) return fromQuery;
  return req.cookies?.[TOKEN_COOKIE] || undefined;
}

/**
 * Decorates every request with `principal()`. Routes call it (or the access helpers) first;
 * with HUB_AUTH=off everyone is an anonymous admin. Needs @fastify/cookie registered first.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { key: Uint8Array; enabled: boolean; maxLifetimeSeconds: number }) => {
    const cache = new WeakMap<FastifyRequest, Promise<Principal>>();
    app.decorateRequest('principal', function (this: FastifyRequest) {
      let p = cache.get(this);
      if (!p) {
        p = resolve(this);
        cache.set(this, p);
      }
      return p;
    });

    async function resolve(req: FastifyRequest): Promise<Principal> {
      if (!opts.enabled) return OPEN_PRINCIPAL;
      const token = findToken(req);
      if (token === undefined) {
        throw unauthorized('a token is required: send "Authorization: Bearer <token>" (GET streams also take ?access_token=… or the showwire_token cookie)');
      }
      if (token === '') throw unauthorized('the Authorization header must be "Bearer <token>"');
      const result = await verifyToken(opts.key, token, { maxLifetimeSeconds: opts.maxLifetimeSeconds });
      if (!result.ok) throw unauthorized(result.reason);
      const { sub, role, shows, exp } = result.claims;
      const { iat, authTime } = result;
      return { sub, role, shows: shows.includes('*') ? null : new Set(shows), exp, ...(iat !== undefined && { iat }), ...(authTime !== undefined && { authTime }) };
    }
  },
  { name: 'showwire-auth', dependencies: ['@fastify/cookie'] },
);
