import net from 'node:net';
import { nowUs } from './payload.js';

/**
 * One SSE subscription over a bare TCP socket, for load runs: the request is written by hand, the
 * answer's status line and headers are checked, chunked framing is undone, and each `data:` line
 * is handed over as (buffer, start, end) with no copy and no string. Reads land in one buffer
 * shared by all sockets of a thread (`onread`), so 10,000 idle subscribers cost no read buffers.
 */
export interface SseHandlers {
  /** The server answered 200: the stream is open. */
  open: () => void;
  /** A `data:` line: bytes [start, end) of `buf` (valid only during the call), received at `now`. */
  data: (buf: Buffer, start: number, end: number, now: number) => void;
  /** Anything other than an open stream: a refused connection, a non-200 answer, a close. */
  end: (reason: string, wasOpen: boolean) => void;
}

const shared = Buffer.allocUnsafe(256 * 1024);
// Centrifugo sends a whole recovery (10,000 events in the bench) as one line.
const MAX_PENDING = 32 << 20;
const LF = 10;

const isDataLine = (b: Buffer, s: number) => b[s] === 100 && b[s + 1] === 97 && b[s + 2] === 116 && b[s + 3] === 97 && b[s + 4] === 58;

export function openSse(url: string, headers: Record<string, string>, on: SseHandlers): net.Socket {
  const u = new URL(url);
  let head: Buffer | null = Buffer.alloc(0); // the answer's head until its blank line; null once past it
  let chunked = false;
  let chunkLeft = 0; // body bytes left in the current chunk
  let sizeLine = ''; // a chunk-size line split across reads
  let skip = 0; // the CRLF after a chunk's body, possibly split across reads
  let partial: Buffer[] | null = null; // the pieces of an SSE line split across reads
  let partialBytes = 0;
  let open = false;
  let ended = false;
  let now = 0; // µs clock at the current read: every line of one read arrived together
  const finish = (reason: string) => {
    if (ended) return;
    ended = true;
    socket.destroy();
    on.end(reason, open);
  };

  /** SSE body bytes: complete lines go out as they are, the tail waits for the rest. */
  function body(buf: Buffer, from: number, to: number) {
    if (partial) {
      const lf = buf.indexOf(LF, from);
      // A long line comes in many reads: keep its pieces and join them once, when it ends.
      if (lf < 0 || lf >= to) {
        partial.push(Buffer.from(buf.subarray(from, to)));
        partialBytes += to - from;
        if (partialBytes > MAX_PENDING) finish('an SSE line over 32 MiB');
        return;
      }
      partial.push(buf.subarray(from, to));
      buf = Buffer.concat(partial);
      from = 0;
      to = buf.length;
      partial = null;
    }
    let start = from;
    for (let nl = buf.indexOf(LF, start); nl >= 0 && nl < to; nl = buf.indexOf(LF, start)) {
      if (isDataLine(buf, start)) on.data(buf, start, nl, now);
      start = nl + 1;
    }
    if (start < to) {
      partial = [Buffer.from(buf.subarray(start, to))];
      partialBytes = to - start;
    }
  }

  /** Undoes chunked framing: chunk bodies go to `body`, size lines and CRLFs are dropped. */
  function dechunk(buf: Buffer, pos: number, to: number) {
    while (pos < to) {
      if (skip > 0) {
        const n = Math.min(skip, to - pos);
        skip -= n;
        pos += n;
      } else if (chunkLeft > 0) {
        const n = Math.min(chunkLeft, to - pos);
        body(buf, pos, pos + n);
        chunkLeft -= n;
        pos += n;
        if (chunkLeft === 0) skip = 2;
      } else {
        const lf = buf.indexOf(LF, pos);
        if (lf < 0 || lf >= to) {
          sizeLine += buf.toString('latin1', pos, to);
          return;
        }
        const line = sizeLine + buf.toString('latin1', pos, lf);
        sizeLine = '';
        pos = lf + 1;
        chunkLeft = parseInt(line, 16);
        if (!(chunkLeft > 0)) return finish(chunkLeft === 0 ? 'stream ended' : `bad chunk size "${line.trim()}"`);
      }
    }
  }

  function onRead(n: number, buf: Buffer): boolean {
    now = nowUs();
    let pos = 0;
    if (head) {
      const joined: Buffer = head.length > 0 ? Buffer.concat([head, buf.subarray(0, n)]) : buf.subarray(0, n);
      const end = joined.indexOf('\r\n\r\n');
      if (end < 0) {
        if (joined.length > 64 * 1024) finish('response head over 64 KiB');
        else head = Buffer.from(joined);
        return true;
      }
      const text = joined.toString('latin1', 0, end);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      if (status !== '200') {
        finish(`HTTP ${status ?? '?'}`);
        return false;
      }
      chunked = /\r\ntransfer-encoding:\s*chunked/i.test(text);
      head = null;
      open = true;
      on.open();
      buf = joined;
      n = joined.length;
      pos = end + 4;
    }
    if (chunked) dechunk(buf, pos, n);
    else body(buf, pos, n);
    return !ended;
  }

  const socket = net.connect({ host: u.hostname, port: Number(u.port || 80), noDelay: true, onread: { buffer: shared, callback: onRead } });
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n${extra}\r\n`);
  socket.on('error', (e) => finish(e.message));
  socket.on('close', () => finish('closed'));
  socket.on('end', () => finish('closed by the server'));
  return socket;
}
