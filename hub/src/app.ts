import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { SHOW_ID_MAX_LENGTH } from '@showwire/protocol';
import { authPlugin } from './auth/plugin.js';
import { loadSecret } from './auth/tokens.js';
import type { Config } from './config.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { HttpError } from './errors.js';
import { createHub, type Hub } from './hub.js';
import { logRequest, loggerOptions } from './logger.js';
import { DEFAULT_BODY_LIMIT, securityPlugin } from './security/index.js';
import { commercePlugin } from './commerce/plugin.js';
import { authTokenRoutes } from './routes/auth-tokens.js';
import { cartRoutes } from './routes/cart.js';
import { summaryRoutes } from './routes/summary.js';
import { transcriptRoutes } from './routes/transcript.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
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
import { timeoutOptions, trackConnections, type Connections } from './server/connections.js';
import { inOrderPerConnection } from './server/in-order.js';
import { createShutdown } from './server/shutdown.js';

declare module 'fastify' {
  interface FastifyInstance {
    hub: Hub;
    /** Open connections, for the stream cap (HUB_MAX_CONNECTIONS). */
    connections: Connections;
    /** The HS256 key that signs and verifies hub tokens. */
    tokenKey: Uint8Array;
  }
}

export interface BuildOptions {
  /** Where log lines go; tests pass a stream to read them. */
  logStream?: NodeJS.WritableStream;
}

const here = dirname(fileURLToPath(import.meta.url));
const MAX_PARAM_LENGTH = 8 * SHOW_ID_MAX_LENGTH;

/** The hub as a Fastify app: every feature a plugin, the shared services decorated once. */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const logger = loggerOptions(config.HUB_LOG_LEVEL);
  const limits = {
    headersTimeoutMs: config.HUB_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HUB_REQUEST_TIMEOUT_MS,
    maxConnections: config.HUB_MAX_CONNECTIONS,
    drainTimeoutMs: config.HUB_DRAIN_TIMEOUT_MS,
  };
  const app = Fastify({
    // Node's own reaping of slow request heads and bodies (Fastify's default of 0 turns it off).
    http: timeoutOptions(limits),
    requestTimeout: limits.requestTimeoutMs,
    logger: options.logStream && typeof logger === 'object' ? { ...logger, stream: options.logStream } : logger,
    trustProxy: config.HUB_TRUST_PROXY,
    // SSE connections stay open; on close, idle keep-alive sockets are dropped at once.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Routes that take bigger bodies set their own `bodyLimit` (ingest, thumbnail upload).
    bodyLimit: DEFAULT_BODY_LIMIT,
    // One line per request at the end, 2xx/3xx at debug (logger.ts `logRequest`).
    logController: new LogController({ disableRequestLogging: true }),
    // The router's default (100 characters per path parameter) would make valid show ids of
    // 101-128 characters unreachable. Well above the limit, so a too-long id reaches the route's
    // schema and gets its 400 naming the rule (one limit: SHOW_ID_MAX_LENGTH).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Router refusals (a malformed %-escape) in the hub's one error shape.
    frameworkErrors: errorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onResponse', logRequest);
  // A path parameter beyond the router's limit matches no route, and the dashboard's catch-all would
  // answer it as an unknown page: say what is wrong instead, whichever route (or none) it reached.
  app.addHook('onRequest', async (req) => {
    if (req.url.length > MAX_PARAM_LENGTH && req.url.split('?', 1)[0]!.split('/').some((seg) => seg.length > MAX_PARAM_LENGTH)) {
      throw new HttpError(414, 'uri_too_long', `a path segment is over ${MAX_PARAM_LENGTH} characters (show ids are at most ${SHOW_ID_MAX_LENGTH})`);
    }
  });
  // JSON only: a text/plain body would otherwise reach handlers as a string and get a vaguer 400.
  app.removeContentTypeParser('text/plain');

  const tokenKey = loadSecret(config.HUB_SECRET, config.HUB_DATA_DIR);
  const hub = await createHub(config, app.log);
  app.decorate('hub', hub);
  app.decorate('tokenKey', tokenKey);
  const connections = trackConnections(app.server, limits);
  app.decorate('connections', connections);
  app.addHook('onClose', async () => hub.close());
  inOrderPerConnection(app);

  // Global (fastify-plugin): CORS, security headers, cookie, rate limits cover every route
  // registered below, whoever adds it. A route opts into a rate limit with
  // `config: { rateLimit: app.rateLimits.ingest }` (see security/rate-limit.ts).
  await app.register(securityPlugin, config);
  await app.register(authPlugin, { key: tokenKey, enabled: config.HUB_AUTH === 'on', maxLifetimeSeconds: config.HUB_TOKEN_MAX_DAYS * 86400 });
  await app.register(healthRoutes);
  await app.register(authTokenRoutes);
  await app.register(ingestRoutes);
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
  await app.register(commercePlugin);
  await app.register(cartRoutes);
  await app.register(summaryRoutes);
  await app.register(transcriptRoutes);
  await app.register(dashboardRoutes, { dir: dashboardDir(config) });

  const instance = app as unknown as FastifyInstance;
  /** The hub's one way to stop: main.ts on SIGTERM/SIGINT, and tests. */
  const shutdown = createShutdown(instance, hub, connections, limits);
  return { app: instance, hub, shutdown };
}

/** The built dashboard, when there is one: HUB_DASHBOARD_DIR or the workspace's `dashboard/dist`. */
export function dashboardDir(config: Config): string | undefined {
  const dir = config.HUB_DASHBOARD_DIR ?? join(here, '..', '..', 'dashboard', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
