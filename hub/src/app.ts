import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { authPlugin } from './auth/plugin.js';
import { loadSecret } from './auth/tokens.js';
import type { Config } from './config.js';
import { clientErrorHandler } from './client-error.js';
import { errorHandler, MAX_PARAM_LENGTH, notFoundHandler } from './error-handler.js';
import { unavailable } from './errors.js';
import { createHub, type Hub } from './hub.js';
import { createLiveKit, type LiveKitServices } from './livekit/client.js';
import { logRequest, loggerOptions } from './logger.js';
import { registerOpenApi } from './openapi.js';
import { prepareDataDir } from './startup.js';
import { DEFAULT_BODY_LIMIT, securityPlugin } from './security/index.js';
import { commercePlugin } from './commerce/plugin.js';
import { authTokenRoutes } from './routes/auth-tokens.js';
import { cartRoutes } from './routes/cart.js';
import { summaryRoutes } from './routes/summary.js';
import { transcriptRoutes } from './routes/transcript.js';
import { alertRoutes } from './routes/alerts.js';
import { authRefreshRoutes } from './routes/auth-refresh.js';
import { controlRoutes } from './routes/control.js';
import { listenRoutes } from './routes/listen.js';
import { presenceRoutes } from './routes/presence.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { ingestStreamRoutes } from './routes/ingest-stream.js';
import { livekitRoutes } from './routes/livekit.js';
import { productRoutes } from './routes/products.js';
import { showRoutes } from './routes/shows.js';
import { webhookRoutes } from './routes/webhooks.js';
import { streamRoutes } from './routes/sse.js';
import { streamTestPageRoutes } from './routes/stream-test-page.js';
import { streamingRoutes } from './routes/livekit-rooms.js';
import { roomRelayPlugin } from './relay/plugin.js';
import { searchPlugin } from './search/plugin.js';
import { recordingsPlugin } from './recordings/plugin.js';
import { settingsPlugin } from './settings/plugin.js';
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
    /** The LiveKit clients (built once), or a 503 `livekit_unconfigured` when LiveKit is not set up. */
    livekit: () => LiveKitServices;
  }
}

export interface BuildOptions {
  /** Where log lines go; tests pass a stream to read them. */
  logStream?: NodeJS.WritableStream;
  /** Called for every route as it is registered (the OpenAPI test compares the document with them). */
  onRoute?: (route: RouteOptions) => void;
}

const here = dirname(fileURLToPath(import.meta.url));

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
    // Draining answers 503 in the hub's error shape (the onRequest hook below), not Fastify's.
    return503OnClosing: false,
    // Node's parser refusals (431, 414, 400, 408) in the hub's error shape.
    clientErrorHandler,
    // Fastify's URL refusals (bad percent-encoding, over-long path segment) go to the error handler.
    frameworkErrors: errorHandler as FastifyServerOptions['frameworkErrors'],
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Routes that take bigger bodies set their own `bodyLimit` (ingest, thumbnail upload).
    bodyLimit: DEFAULT_BODY_LIMIT,
    // One line per request at the end, 2xx/3xx at debug (logger.ts `logRequest`).
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.addHook('onResponse', logRequest);
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  // A callback hook, not an async one: it runs on every request, ingest's hot path included.
  app.addHook('onRequest', (_req, _reply, done) => done(draining ? unavailable('the hub is shutting down; retry on another hub or in a moment') : undefined));
  // JSON only: a text/plain body would otherwise reach handlers as a string and get a vaguer 400.
  app.removeContentTypeParser('text/plain');

  // Before anything writes there (the generated secret is the first), so the error names the directory.
  prepareDataDir(config.HUB_DATA_DIR);
  const tokenKey = loadSecret(config.HUB_SECRET, config.HUB_DATA_DIR);
  const hub = await createHub(config, app.log);
  app.decorate('hub', hub);
  app.decorate('tokenKey', tokenKey);
  const connections = trackConnections(app.server, limits);
  app.decorate('connections', connections);
  // Rebuilt when PUT /api/config (on any hub) changes the LiveKit settings.
  let livekit = createLiveKit(config);
  hub.settings.onChange(() => (livekit = createLiveKit(config)));
  app.decorate('livekit', () => livekit());
  app.addHook('onClose', async () => hub.close());
  inOrderPerConnection(app);

  // Global (fastify-plugin): CORS, security headers, cookie, rate limits cover every route
  // registered below, whoever adds it. A route opts into a rate limit with
  // `config: { rateLimit: app.rateLimits.ingest }` (see security/rate-limit.ts).
  await app.register(securityPlugin, config);
  await app.register(authPlugin, { key: tokenKey, enabled: config.HUB_AUTH === 'on', maxLifetimeSeconds: config.HUB_TOKEN_MAX_DAYS * 86400 });
  // `GET /openapi.json` and `/docs`: before the routes, which it documents.
  await registerOpenApi(app as unknown as FastifyInstance);
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
  await app.register(commercePlugin);
  await app.register(cartRoutes);
  await app.register(summaryRoutes);
  await app.register(transcriptRoutes);
  await app.register(alertRoutes);
  await app.register(controlRoutes);
  await app.register(listenRoutes);
  await app.register(presenceRoutes);
  await app.register(authRefreshRoutes);
  await app.register(searchPlugin);
  await app.register(recordingsPlugin);
  await app.register(settingsPlugin);
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
