import { createHash } from 'node:crypto';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { findToken } from '../auth/plugin.js';
import { HttpError } from '../errors.js';

/**
 * A named limit: `max` requests per `timeWindow` ms per client IP and `perToken` per credential.
 * Routes that name the same limit share its counters (both ingest routes draw on one budget).
 * Passing either answers 429 with `Retry-After` (seconds).
 */
interface RouteRateLimit extends RateLimitOptions {
  name: string;
  max: number;
  timeWindow: number;
  perToken: number;
}

interface RateLimitSettings {
  windowMs: number;
  /** Per token / per IP on the ingest routes; 0 = off. */
  ingest: number;
  ingestIp: number;
  /** Per token and per IP on token minting; 0 = off. */
  tokens: number;
  /** With many hubs (HUB_STORE=redis): the counters live in Redis, so a limit holds across hubs. */
  redis?: Redis;
  /** Prefix of the counters' Redis keys. */
  redisPrefix?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The hub's named route limits. A route opts in through its route config:
     *
     *   app.post('/api/x', { config: { rateLimit: app.rateLimits.ingest } }, handler)
     *
     * which limits it per client IP and per token, sharing counters with every route that names
     * the same limit. Routes without `config.rateLimit` are not
     * limited (the plugin is registered with `global: false`). A new kind of limit goes here,
     * with its HUB_RATE_LIMIT_* variable in config.ts.
     */
    rateLimits: {
      ingest: RouteRateLimit;
      tokens: RouteRateLimit;
      /**
       * Counts one more request of `req` against a named limit, as the route hook does, for
       * requests that carry many (an NDJSON publish stream counts each line); throws the 429.
       */
      draw: (req: FastifyRequest, limit: RouteRateLimit) => Promise<void>;
    };
  }
}

/** 0 means "no limit"; the plugin takes a number, so it gets one no client reaches. */
const orUnlimited = (n: number) => (n === 0 ? Number.MAX_SAFE_INTEGER : n);

const tooMany = (retryAfterSeconds: number, what: string) =>
  new HttpError('rate_limited', `too many requests ${what}; retry in ${retryAfterSeconds} s`, undefined, { 'Retry-After': String(retryAfterSeconds) });

/**
 * Credentials are counted by a digest, so the limiter's memory never holds a usable token.
 * A made-up token gets its own bucket, but it also counts against its IP's limit.
 */
const credentialBucket = (req: FastifyRequest) => {
  const token = findToken(req);
  return token ? `tok:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : '';
};

const isNamed = (rl: unknown): rl is RouteRateLimit => typeof rl === 'object' && rl !== null && typeof (rl as RouteRateLimit).name === 'string';

export const rateLimitPlugin = fp(
  async (app: FastifyInstance, settings: RateLimitSettings) => {
    const limit = (name: string, perIp: number, perToken: number): RouteRateLimit => ({ name, max: orUnlimited(perIp), timeWindow: settings.windowMs, perToken: orUnlimited(perToken) });
    const unlimited = (rl: RouteRateLimit) => rl.max === Number.MAX_SAFE_INTEGER && rl.perToken === Number.MAX_SAFE_INTEGER;
    app.decorate('rateLimits', {
      ingest: limit('ingest', settings.ingestIp, settings.ingest),
      tokens: limit('tokens', settings.tokens, settings.tokens),
      draw: async (req: FastifyRequest, rl: RouteRateLimit) => {
        if (!unlimited(rl)) await checkFor(rl)(req);
      },
    });

    /** One check per named limit, built on first use and shared by every route that names it. */
    const checks = new Map<string, (req: FastifyRequest) => Promise<void>>();
    const checkFor = (rl: RouteRateLimit) => {
      let check = checks.get(rl.name);
      if (check) return check;
      // The limit's name is in the key: a shared (Redis) store has one keyspace for every limit.
      const perIp = app.createRateLimit({ max: rl.max, timeWindow: rl.timeWindow, keyGenerator: (req) => `${rl.name}:ip:${req.ip}` });
      const perToken = app.createRateLimit({ max: rl.perToken, timeWindow: rl.timeWindow, keyGenerator: (req) => `${rl.name}:${credentialBucket(req)}` });
      check = async (req) => {
        // Counted before auth and body parsing: floods of bad tokens or huge bodies count too.
        // Both at once: on Redis each is a round trip, and with a stalled Redis each costs the
        // command deadline before it is skipped. No credential: nothing to count per token.
        const [ip, tok] = await Promise.all([perIp(req), findToken(req) ? perToken(req) : undefined]);
        if (!ip.isAllowed && ip.isExceeded) throw tooMany(Math.max(1, ip.ttlInSeconds), 'from this address');
        if (tok && !tok.isAllowed && tok.isExceeded) throw tooMany(Math.max(1, tok.ttlInSeconds), 'with this token');
      };
      checks.set(rl.name, check);
      return check;
    };

    // Added before @fastify/rate-limit's own onRoute hook, so it sees a named limit first, takes
    // it over (shared counters, IP and token) and hides it from the plugin's per-route counting.
    app.addHook('onRoute', (route: RouteOptions) => {
      const rl = route.config?.rateLimit;
      if (!isNamed(rl)) return;
      // Both limits off (0): no hook at all, so an unlimited route pays nothing per request.
      if (!unlimited(rl)) {
        const hooks = route.onRequest;
        const check = checkFor(rl);
        const hook: onRequestAsyncHookHandler = (req) => check(req);
        route.onRequest = [...(hooks ? (Array.isArray(hooks) ? hooks : [hooks]) : []), hook];
      }
      route.config = { ...route.config, rateLimit: false };
    });

    // `global: false`: only routes that ask are limited. A route may also pass a plain
    // @fastify/rate-limit object as `config.rateLimit` (counted per route, per IP).
    await app.register(rateLimit, {
      global: false,
      ...(settings.redis && { redis: settings.redis, nameSpace: `${settings.redisPrefix ?? ''}rl:`, skipOnError: true }),
      hook: 'onRequest',
      errorResponseBuilder: (_req, ctx) => tooMany(Math.max(1, Math.ceil(ctx.ttl / 1000)), 'from this address'),
    });
  },
  { name: 'showwire-rate-limit' },
);
