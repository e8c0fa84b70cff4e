import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:net';

/** The worker's exit code when its health server cannot listen (the hub uses 3 for the same). */
export const EXIT_CANNOT_LISTEN = 3;

type ListenStart = { server: Server; options?: { host?: string; port?: number } };

/**
 * LiveKit Agents starts the worker's health server inside the framework, where it can be neither
 * reached nor told what to do. Node's `net.server.listen` tracing channel hands it over as it
 * binds, for two things the framework does not do:
 * - a port it cannot bind (taken, privileged, not this machine's address) is one line on stderr
 *   and exit code 3, not an unhandled 'error' event with a stack trace;
 * - SIGTERM/SIGINT close its port at once: the framework keeps it until its drain ends, and a job
 *   waiting for its host can hold the drain for minutes, so a new worker could not start.
 * Only the server listening at exactly `at` is taken; the worker's process has no other.
 */
export function guardHealthServer(at: { host: string; port: number }): void {
  // Published as a listen() starts, before the bind's outcome is emitted.
  const channel = 'tracing:net.server.listen:asyncStart';
  const onListen = (message: unknown) => {
    const { server, options } = message as ListenStart;
    if (options?.host !== at.host || Number(options?.port) !== at.port) return;
    unsubscribe(channel, onListen);
    server.once('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`showwire agent: ${cannotListen(at, error)}\n`);
      process.exit(EXIT_CANNOT_LISTEN);
    });
    server.once('listening', () => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => closeNow(server));
    });
  };
  subscribe(channel, onListen);
}

function cannotListen({ host, port }: { host: string; port: number }, error: NodeJS.ErrnoException): string {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where} (the health server): the port is in use; stop what uses it, or set AGENT_HTTP_PORT to a free port (0: any)`;
    case 'EACCES':
      return `cannot listen on ${where} (the health server): not allowed; use an AGENT_HTTP_PORT above 1023`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `cannot listen on ${where} (the health server): AGENT_HTTP_HOST=${host} is not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its addresses`;
    default:
      return `cannot listen on ${where} (the health server): ${error.message}`;
  }
}

/**
 * Stops accepting at once (the port is free when this returns to the event loop). The framework
 * closes the server again when its drain ends; a second close() would fail (ERR_SERVER_NOT_RUNNING)
 * and turn the worker's clean exit into exit 1, so that one waits for the first instead.
 */
function closeNow(server: Server): void {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.close = ((callback?: (error?: Error) => void) => {
    void closed.then(() => callback?.());
    return server;
  });
}
