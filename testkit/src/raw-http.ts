import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: Socket;
  /** Everything the hub sent, as text. */
  received: () => string;
  /** Resolves once the hub (or the network) closed the connection. */
  closed: Promise<void>;
  isClosed: () => boolean;
  /** Resolves once the received text satisfies `done`; rejects if the connection closes first. */
  until: (done: (text: string) => boolean, what?: string) => Promise<string>;
}

/**
 * A plain TCP connection to the hub, for what HTTP clients won't do: send half a request,
 * nothing at all, or several requests at once.
 */
export async function rawConnect(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  let isClosed = false;
  const waiters = new Set<() => void>();
  socket.setEncoding('latin1');
  socket.on('data', (c: string) => {
    text += c;
    for (const w of [...waiters]) w();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      for (const w of [...waiters]) w();
      resolve();
    }),
  );
  const until = (done: (t: string) => boolean, what = 'data') =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (done(text)) {
          waiters.delete(check);
          resolve(text);
        } else if (isClosed) {
          waiters.delete(check);
          reject(new Error(`connection closed while waiting for ${what}; got:\n${text.slice(0, 2000)}`));
        }
      };
      waiters.add(check);
      check();
    });
  return { socket, received: () => text, closed, isClosed: () => isClosed, until };
}

/**
 * Splits `text` into the complete HTTP/1.1 responses it holds (Content-Length or chunked
 * bodies); a response still arriving is left out.
 */
export function parseResponses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) return out;
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    let body = '';
    let next = headEnd + 4;
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (rest.length < next + length) return out;
      body = rest.slice(next, next + length);
      next += length;
    } else if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const sizeEnd = rest.indexOf('\r\n', next);
        if (sizeEnd < 0) return out;
        const size = parseInt(rest.slice(next, sizeEnd), 16);
        if (rest.length < sizeEnd + 2 + size + 2) return out;
        body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
        next = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
    }
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
    rest = rest.slice(next);
  }
}
