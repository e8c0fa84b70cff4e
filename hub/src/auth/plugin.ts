import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { unauthorized } from '../errors.js';
import { OPEN_PRINCIPAL, type Principal } from './access.js';
import { verifyToken } from './tokens.js';

export const TOKEN_COOKIE = 'showwire_token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; throws 401 when the request carries no valid token. */
    principal(): Promise<Principal>;
  }
}

/** The token from `Authorization: Bearer`, else `access_token` query (EventSource can't set headers), else the cookie. */
function findToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m ? m[1] : '';
  }
  const q = (req.query as Record<string, unknown> | undefined)?.access_token;
  if (typeof q === 'string' && q) return q;
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}

/**
 * Decorates every request with `principal()`. Routes call it (or the access helpers) first;
 * with HUB_AUTH=off everyone is an anonymous admin.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { key: Uint8Array; enabled: boolean }) => {
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
    if (token === undefined) throw unauthorized('a token is required: send "Authorization: Bearer <token>" (or access_token=… for EventSource)');
    if (token === '') throw unauthorized('the Authorization header must be "Bearer <token>"');
    const result = await verifyToken(opts.key, token);
    if (!result.ok) throw unauthorized(result.reason);
    const { sub, role, shows, exp } = result.claims;
    return { sub, role, shows: shows.includes('*') ? null : new Set(shows), exp };
  }
}, { name: 'showwire-auth' });
