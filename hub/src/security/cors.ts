import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

interface CorsSettings {
  /** HUB_CORS_ORIGINS: exact origins (`https://shop.example`) that may call the hub from a browser. */
  origins: readonly string[];
  /** With HUB_AUTH=off every origin may read (`*`, never with credentials), as the agent streaming guide's hub did. */
  authOff: boolean;
}

const NONE: FastifyCorsOptions = { origin: false };

/**
 * CORS from an allowlist. A listed origin is echoed back with credentials (so EventSource
 * `withCredentials` and the token cookie work from it); any other origin gets no CORS headers at
 * all, so the browser keeps the answer from its page. `*` only when auth is off.
 */
export const corsPlugin = fp(
  async (app: FastifyInstance, settings: CorsSettings) => {
    const allowed = new Set(settings.origins.map((o) => o.replace(/\/+$/, '')));
    const common: FastifyCorsOptions = {
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'webhook-id', 'webhook-signature', 'webhook-timestamp'],
      exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
      maxAge: 600,
    };
    // Built once per origin, not per request: the delegator runs on every request.
    const forOrigin = new Map([...allowed].map((origin) => [origin, { ...common, origin, credentials: true }]));
    const anyOrigin: FastifyCorsOptions = { ...common, origin: '*', credentials: false };
    const delegator = (req: FastifyRequest, cb: (err: Error | null, options: FastifyCorsOptions) => void) => {
      const origin = req.headers.origin;
      const listed = origin ? forOrigin.get(origin) : undefined;
      if (listed) return cb(null, listed);
      if (settings.authOff) return cb(null, anyOrigin);
      cb(null, NONE);
    };
    // With no origin to allow (the default: auth on, no HUB_CORS_ORIGINS) every answer would be
    // "no CORS headers"; then the plugin's per-request hook is not installed at all.
    if (forOrigin.size === 0 && !settings.authOff) return;
    await app.register(cors, { delegator });
  },
  { name: 'showwire-cors' },
);
