#!/usr/bin/env node
import { buildApp } from './app.js';
import { announceDashboard } from './auth/dashboard-link.js';
import { mintToken } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { loadEnvFile } from '@showwire/protocol/env-file';
import { sqliteLogFile } from './log/open-log.js';
import { EXIT, StartupError, startupFailure } from './startup.js';

/** Starts the hub; SIGTERM/SIGINT drain (server/shutdown.ts): stop accepting, finish writes, end streams with a retry hint, exit 0. */
async function main() {
  loadEnvFile();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`showwire hub: ${error.message}\n  (fix it in the environment or in .env; see .env.example)`);
      process.exit(EXIT.badSetting);
    }
    throw error;
  }
  const { app, shutdown } = await buildApp(config).catch((error: unknown) => {
    throw startupFailure(error, { logFile: sqliteLogFile(config), store: config.HUB_STORE });
  });
  if (config.HUB_AUTH === 'off') {
    const exposed = !['127.0.0.1', '::1', 'localhost'].includes(config.HOST);
    app.log.warn({ host: config.HOST }, 'HUB_AUTH=off: EVERY ROUTE IS OPEN TO ANYONE. Use this only on your own machine.');
    // Also outside the log, where a person starting the hub sees it even with the log piped away.
    process.stderr.write(
      `\n!!! HUB_AUTH=off: every route is open to anyone (no tokens, CORS *).${exposed ? ` HOST=${config.HOST} exposes it beyond this machine!` : ''} !!!\n\n`,
    );
  }
  const address = await app.listen({ port: config.PORT, host: config.HOST }).catch(async (error: NodeJS.ErrnoException) => {
    await app.close();
    throw listenError(error, config.HOST, config.PORT);
  });
  const base = config.HUB_PUBLIC_URL ?? address;
  app.log.info({ address }, 'showwire hub listening');
  let token: string | undefined;
  if (config.HUB_AUTH === 'on') {
    const ttl = Math.min(7 * 24 * 3600, config.HUB_TOKEN_MAX_DAYS * 86400);
    ({ token } = await mintToken(app.tokenKey, { sub: 'dashboard', role: 'staff', shows: ['*'] }, ttl));
  }
  // The one place a token is shown: to the operator's terminal or a 0600 file, never beside the log.
  announceDashboard({ base, token, dataDir: config.HUB_DATA_DIR });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    // Sockets are closed at the drain deadline; should closing the log or the webhook worker
    // still hang after it, the process goes anyway (a 2xx was only ever sent for a durable event).
    setTimeout(() => {
      app.log.error({ signal }, 'shutdown did not finish after the drain deadline: exiting');
      process.exit(1);
    }, config.HUB_DRAIN_TIMEOUT_MS + 5_000).unref();
    await shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Why the hub could not listen, in the operator's terms. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const at = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(EXIT.cannotListen, `port ${port} on ${host} is already in use; stop what is using it, or set PORT to a free port`);
    case 'EACCES':
      return new StartupError(EXIT.cannotListen, `not allowed to listen on ${at}; use a PORT above 1023, or give the hub the right to bind it`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartupError(EXIT.cannotListen, `HOST=${host} is not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its addresses`);
    default:
      return error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    console.error(`showwire hub: ${error.message}`);
    process.exit(error.exitCode);
  }
  console.error('showwire hub failed to start:', error);
  process.exit(EXIT.failed);
});
