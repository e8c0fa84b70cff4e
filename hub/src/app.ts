import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify';
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
import { authRoutesPlugin } from './auth/routes-plugin.js';
import { commercePlugin } from './commerce/plugin.js';
import { ingestPlugin } from './ingest/plugin.js';
import websocket from '@fastify/websocket';
import { liveSessionsPlugin } from './live/plugin.js';
import { livekitPlugin } from './livekit/plugin.js';
import { healthPlugin } from './health/plugin.js';
import { pagesPlugin } from './pages/plugin.js';
import { webhooksPlugin } from './webhooks/plugin.js';
import { showsPlugin } from './shows/plugin.js';
import { streamsPlugin } from './streams/plugin.js';
import { supervisionPlugin } from './supervision/plugin.js';
import { searchPlugin } from './search/plugin.js';
import { recordingsPlugin } from './recordings/plugin.js';
import { settingsPlugin } from './settings/plugin.js';
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
    // An idle kept-alive connection gets the same head deadline as a new one (Fastify's default is 72 s).
    keepAliveTimeout: limits.headersTimeoutMs,
    logger: options.logStream && typeof logger === 'object' ? { ...logger, stream: options.logStream } : logger,
    trustProxy: config.HUB_TRUST_PROXY,
    // SSE connections stay open; on close, idle keep-alive sockets are dropped at once.
    forceCloseConnections: 'idle',
    // Draining answers 503 in the hub's error shape (the onRequest hook below), not Fastify's.
    return503OnClosing: false,
    // Node's parser refusals (431, 414, 400, 408) in the hub's error shape.
    clientErrorHandler,
    // Fastify's URL refusals (bad percent-encoding, over-long path segment) go to the error handler.
    frameworkErrors: (error, req, reply) => void errorHandler(error, req, reply),
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
  // Rebuilt when PUT /api/config (on any hub) changes the LiveKit settings; every caller (routes,
  // the room relay) goes through this one getter, so none keeps the old clients.
  let currentLiveKit = createLiveKit(config);
  const livekit = () => currentLiveKit();
  const hub = await createHub(config, app.log, livekit);
  hub.settings.onChange(() => (currentLiveKit = createLiveKit(config)));
  app.decorate('hub', hub);
  app.decorate('tokenKey', tokenKey);
  const connections = trackConnections(app.server, limits);
  app.decorate('connections', connections);
  app.decorate('livekit', livekit);
  app.addHook('onClose', async () => hub.close());
  inOrderPerConnection(app);

  // Global (fastify-plugin): CORS, security headers, cookie, rate limits cover every route
  // registered below, whoever adds it. A route opts into a rate limit with
  // `config: { rateLimit: app.rateLimits.ingest }` (see security/rate-limit.ts).
  await app.register(securityPlugin, config);
  await app.register(authPlugin, { key: tokenKey, enabled: config.HUB_AUTH === 'on', maxLifetimeSeconds: config.HUB_TOKEN_MAX_DAYS * 86400 });
  // `GET /openapi.json` and `/docs`: before the routes, which it documents.
  await registerOpenApi(app);
  // The features, each a plugin owning its routes; every write among them goes through
  // `hub.publish` (the pipeline: policy, append, consumers), every read through the log or fan-out.
  // WebSocket support for the routes that ask (`websocket: true`, the live sessions' media): at the
  // root, so the server's sockets are one set (`app.websocketServer`, which the shutdown and the
  // live-session tests read), not hidden in the plugin's scope.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const features = [
    ingestPlugin,
    streamsPlugin,
    showsPlugin,
    commercePlugin,
    supervisionPlugin,
    webhooksPlugin,
    livekitPlugin,
    liveSessionsPlugin,
    searchPlugin,
    recordingsPlugin,
    settingsPlugin,
    authRoutesPlugin,
    healthPlugin,
  ];
  for (const feature of features) await app.register(feature);
  // Last: the dashboard's fallback answers every GET no route above took.
  await app.register(pagesPlugin, { dashboardDir: dashboardDir(config) });

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
