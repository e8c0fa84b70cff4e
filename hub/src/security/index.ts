import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { contentEncodingPlugin } from './content-encoding.js';
import { corsPlugin } from './cors.js';
import { headersPlugin } from './headers.js';
import { rateLimitPlugin } from './rate-limit.js';

/**
 * The body limit of every route that sets none (Fastify's `bodyLimit`). Routes that take more
 * say so: ingest uses HUB_BODY_LIMIT; an upload route sets its own `bodyLimit`.
 */
export const DEFAULT_BODY_LIMIT = 256 * 1024;
/** `POST /api/auth/tokens`: a subject, a role and up to 1000 show ids. */
export const TOKEN_BODY_LIMIT = 160 * 1024;

/**
 * CORS, security headers, the token cookie, compressed bodies and rate limits, for every route of the app, also
 * those registered after it (register it before the routes). See each plugin for the rules.
 */
export const securityPlugin = fp(
  async (app: FastifyInstance, config: Config) => {
    await app.register(corsPlugin, { origins: config.HUB_CORS_ORIGINS, authOff: config.HUB_AUTH === 'off' });
    await app.register(headersPlugin, { livekitUrl: () => config.LIVEKIT_URL, publicUrl: config.HUB_PUBLIC_URL });
    await app.register(cookie);
    await app.register(contentEncodingPlugin);
    // Many hubs: rate limits are counted in Redis (a connection of their own, failing fast when
    // Redis is away or stalled; then requests are not limited rather than refused, and ingest says 503 itself).
    const redis = config.HUB_STORE.startsWith('redis')
      ? new Redis(config.HUB_STORE, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: config.HUB_REDIS_TIMEOUT_MS }).on('error', () => {})
      : undefined;
    if (redis) app.addHook('onClose', async () => void redis.disconnect());
    await app.register(rateLimitPlugin, {
      redis,
      redisPrefix: config.HUB_REDIS_PREFIX,
      windowMs: config.HUB_RATE_LIMIT_WINDOW_MS,
      ingest: config.HUB_RATE_LIMIT_INGEST,
      ingestIp: config.HUB_RATE_LIMIT_INGEST_IP,
      tokens: config.HUB_RATE_LIMIT_TOKENS,
    });
  },
  { name: 'showwire-security' },
);
