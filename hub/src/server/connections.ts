import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** A connection must send a complete request head within this long of opening or of its last answer. */
  headersTimeoutMs: number;
  /** A request must arrive whole (head and body) within this long. */
  requestTimeoutMs: number;
  /** Streams are refused (503) while this many connections are open. */
  maxConnections: number;
}

interface Connection {
  /** When it began waiting for a request head (opened, or answered its last request). */
  waitingSince: number;
  /** Requests whose head arrived and whose answer is not finished, with when the head arrived. */
  active: Map<IncomingMessage, number>;
}

/**
 * What the hub knows of its connections: how many are open (for HUB_MAX_CONNECTIONS) and what
 * each is doing (for reaping during a drain).
 *
 * Node reaps slow heads and bodies itself (headersTimeout, requestTimeout, answered with a 408),
 * but only with a checking interval, and Fastify turns that off by default (its requestTimeout
 * is 0, which also zeroes headersTimeout): connections that never sent a byte stayed open for
 * good. Node also stops checking when the server closes, so a half-sent request kept a draining
 * hub alive; `reap` does that check for the drain.
 */
export function trackConnections(server: Server, limits: ConnectionLimits) {
  const connections = new Map<Socket, Connection>();
  // Room above the stream cap for short requests (ingest, health, the 503s themselves); beyond
  // it Node refuses the socket outright, so one hub never holds more than this.
  server.maxConnections = limits.maxConnections + Math.max(64, Math.ceil(limits.maxConnections / 10));

  server.on('connection', (socket: Socket) => {
    connections.set(socket, { waitingSince: Date.now(), active: new Map() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res) => {
    const conn = connections.get(req.socket);
    if (!conn) return;
    conn.active.set(req, Date.now());
    const done = () => {
      if (conn.active.delete(req) && conn.active.size === 0) conn.waitingSince = Date.now();
    };
    res.once('finish', done);
    res.once('close', done);
  });

  /** Closes connections past their head or request deadline; answers how many. */
  function reap(now = Date.now()): number {
    let closed = 0;
    for (const [socket, conn] of connections) {
      let late = conn.active.size === 0 && now - conn.waitingSince > limits.headersTimeoutMs;
      for (const [req, since] of conn.active) if (!req.complete && now - since > limits.requestTimeoutMs) late = true;
      if (late) {
        socket.destroy();
        closed++;
      }
    }
    return closed;
  }

  return {
    count: () => connections.size,
    /** True when a new stream must be refused: the cap counts the asking connection too. */
    full: () => connections.size > limits.maxConnections,
    reap,
  };
}

export type Connections = ReturnType<typeof trackConnections>;

/** Node's server options that make it reap slow heads and bodies, checked often enough to matter. */
export function timeoutOptions(limits: ConnectionLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: checkEvery(limits),
  };
}

export const checkEvery = (limits: ConnectionLimits) => Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
