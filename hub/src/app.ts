import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { authPlugin } from './auth/plugin.js';
import { loadSecret } from './auth/tokens.js';
import type { Config } from './config.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { createHub, type Hub } from './hub.js';
import { logRequest, loggerOptions } from './logger.js';
import { DEFAULT_BODY_LIMIT, securityPlugin } from './security/index.js';
import { authTokenRoutes } from './routes/auth-tokens.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { ingestStreamRoutes } from './routes/ingest-stream.js';
import { livekitRoutes } from './routes/livekit.js';
import { productRoutes } from './routes/products.js';
import { showRoutes } from './routes/shows.js';
import { webhookRoutes } from './routes/webhooks.js';
import { streamRoutes } from './routes/stream.js';
import { streamTestPageRoutes } from './routes/stream-test-page.js';
import { streamingRoutes } from './routes/streaming.js';
import { roomRelayPlugin } from './relay/plugin.js';
import { liveSessionRoutes } from './routes/live-sessions.js';
import websocket from '@fastify/websocket';

declare module 'fastify' {
  interface FastifyInstance {
    hub: Hub;
    /** The HS256 key that signs and verifies hub tokens. */
    tokenKey: Uint8Array;
  }
}

export interface BuildOptions {
  /** Where log lines go; tests pass a stream to read them. */
  logStream?: NodeJS.WritableStream;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The hub as a Fastify app: every feature a plugin, the shared services decorated once. */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const logger = loggerOptions(config.HUB_LOG_LEVEL);
  const app = Fastify({
    logger: options.logStream && typeof logger === 'object' ? { ...logger, stream: options.logStream } : logger,
    trustProxy: config.HUB_TRUST_PROXY,
    // SSE connections stay open; on close, idle keep-alive sockets are dropped at once.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Routes that take bigger bodies set their own `bodyLimit` (ingest, thumbnail upload).
    bodyLimit: DEFAULT_BODY_LIMIT,
    // One line per request at the end, 2xx/3xx at debug (logger.ts `logRequest`).
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onResponse', logRequest);
  // JSON only: a text/plain body would otherwise reach handlers as a string and get a vaguer 400.
  app.removeContentTypeParser('text/plain');

  const tokenKey = loadSecret(config.HUB_SECRET, config.HUB_DATA_DIR);
  const hub = await createHub(config, app.log);
  app.decorate('hub', hub);
  app.decorate('tokenKey', tokenKey);
  app.addHook('onClose', async () => hub.close());

  // Global (fastify-plugin): CORS, security headers, cookie, rate limits cover every route
  // registered below, whoever adds it. A route opts into a rate limit with
  // `config: { rateLimit: app.rateLimits.ingest }` (see security/rate-limit.ts).
  await app.register(securityPlugin, config);
  await app.register(authPlugin, { key: tokenKey, enabled: config.HUB_AUTH === 'on' });
  await app.register(healthRoutes);
  await app.register(authTokenRoutes);
  await app.register(ingestRoutes);
  await app.register(ingestStreamRoutes);
  await app.register(streamRoutes);
  await app.register(showRoutes);
  await app.register(webhookRoutes);
  await app.register(streamTestPageRoutes);
  await app.register(streamingRoutes);
  await app.register(livekitRoutes);
  await app.register(productRoutes);
  await app.register(roomRelayPlugin);
  // WebSocket support for every route that asks (`websocket: true`); registered once, here.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(liveSessionRoutes);
  await app.register(dashboardRoutes, { dir: dashboardDir(config) });

  return { app: app as unknown as FastifyInstance, hub };
}

/** The built dashboard, when there is one: HUB_DASHBOARD_DIR or the workspace's `dashboard/dist`. */
export function dashboardDir(config: Config): string | undefined {
  const dir = config.HUB_DASHBOARD_DIR ?? join(here, '..', '..', 'dashboard', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
