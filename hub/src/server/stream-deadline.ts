import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** The description of the symbol under which Node keeps a server's list of tracked connections. */
const CONNECTIONS_LIST = 'http.server.connections';

interface ConnectionsList {
  expired(headersTimeout: number, requestTimeout: number): Array<{ socket?: Socket }>;
}

/**
 * Node reaps a request whose body is still arriving `requestTimeout` after its head with a raw
 * `HTTP/1.1 408` written into the socket, even into an answer already under way. A publish stream
 * is such a request for as long as the publisher likes: its requests are passed over by that
 * check (they keep an idle deadline of their own). Node has no per-request switch, so this
 * filters what its connections list reports as expired; if the list is not where it is looked
 * for, nothing is exempted (and the stream test says so).
 */
export function requestTimeoutExemptions(server: Server) {
  const exempt = new WeakSet<Socket>();
  server.once('listening', () => {
    const key = Object.getOwnPropertySymbols(server).find((s) => s.description === CONNECTIONS_LIST);
    const list = key && (server as unknown as Record<symbol, ConnectionsList | undefined>)[key];
    if (!list || typeof list.expired !== 'function') return;
    const expired = list.expired.bind(list);
    list.expired = (headersTimeout, requestTimeout) => expired(headersTimeout, requestTimeout).filter((p) => !p.socket || !exempt.has(p.socket));
  });
  return {
    /** Exempts `req` until its answer is over (the connection may carry ordinary requests after it). */
    exempt(req: IncomingMessage, res: { once(event: 'close', f: () => void): unknown }) {
      const socket = req.socket;
      exempt.add(socket);
      res.once('close', () => exempt.delete(socket));
    },
  };
}
