import type { FastifyInstance } from 'fastify';
import type { Hub } from '../hub.js';
import { checkEvery, type Connections, type ConnectionLimits } from './connections.js';

/**
 * The hub's one way to stop (SIGTERM, SIGINT, tests): stop listening, end every stream with a
 * retry hint, let requests in flight finish, then close the log. Whatever is still open after
 * `drainTimeoutMs` (a client trickling a request, a hung handler) is closed, so the drain ends on
 * time; until then slow heads and bodies keep being reaped as they are while serving.
 */
export function createShutdown(app: FastifyInstance, hub: Hub, connections: Connections, limits: ConnectionLimits & { drainTimeoutMs: number }) {
  let done: Promise<void> | undefined;
  return function shutdown(): Promise<void> {
    done ??= (async () => {
      const closing = app.close();
      hub.fanout.close();
      // Node's own checks stopped with the listener; these go on until the drain ends. Streams
      // whose response just ended are idle keep-alive connections by now: closed too.
      const reaper = setInterval(() => {
        connections.reap();
        app.server.closeIdleConnections();
      }, checkEvery(limits));
      reaper.unref();
      const deadline = setTimeout(() => {
        const left = connections.count();
        if (left) app.log.warn({ connections: left, drainTimeoutMs: limits.drainTimeoutMs }, 'drain deadline: closing what is left');
        app.server.closeAllConnections();
      }, limits.drainTimeoutMs);
      try {
        await closing;
      } finally {
        clearTimeout(deadline);
        clearInterval(reaper);
      }
    })();
    return done;
  };
}
