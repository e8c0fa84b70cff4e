import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Pipelined requests (several sent on one connection before the first answer) run one after
 * another, as their answers must go out: Node hands every parsed request to the app at once,
 * so a GET sent after a POST could read the log before the POST stored its event, and miss what
 * the hub acknowledged before it on the same connection. A request waits here until the answer
 * before it on its connection has finished (Node gives the connection to the next answer then).
 *
 * Kept per socket rather than read from Node's queue (whether the response has its socket yet):
 * responses made outside that queue (a WebSocket upgrade's, an injected request's) are ordered
 * by what this hook saw, not by how their maker set them up.
 */
export function inOrderPerConnection(app: FastifyInstance): void {
  const previous = new WeakMap<Socket, ServerResponse>();
  app.addHook('onRequest', (req, reply, done) => {
    const socket = req.raw.socket as Socket | null;
    if (!socket) return done();
    const before = previous.get(socket);
    previous.set(socket, reply.raw);
    if (!before || before.writableFinished || before.destroyed || req.raw.destroyed) return done();
    let started = false;
    const go = () => {
      if (started) return;
      started = true;
      before.off('finish', go);
      before.off('close', go);
      req.raw.off('close', go);
      done();
    };
    before.once('finish', go);
    before.once('close', go);
    // The connection died while this waited: run it as any request whose client left.
    req.raw.once('close', go);
  });
}
