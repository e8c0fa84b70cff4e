import type { FastifyInstance } from 'fastify';

/**
 * Pipelined requests (several sent on one connection before the first answer) run one after
 * another, as their answers must go out: Node hands every parsed request to the app at once,
 * so a GET sent after a POST could read the log before the POST stored its event, and miss what
 * the hub acknowledged before it on the same connection. Node gives a queued response its
 * socket only once the one before it has finished; until then the request waits here.
 */
export function inOrderPerConnection(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    const res = reply.raw;
    // A request whose connection is already gone has nothing to wait for.
    if (res.socket || req.raw.destroyed) return done();
    let started = false;
    const go = () => {
      if (started) return;
      started = true;
      res.off('socket', go);
      req.raw.off('close', go);
      done();
    };
    res.once('socket', go);
    // The connection died while this waited: run it as any request whose client left.
    req.raw.once('close', go);
  });
}
