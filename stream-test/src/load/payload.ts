import http from 'node:http';

/** The system-wide monotonic clock in µs: comparable across threads and processes of one machine. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** About the size of a transcript line, so frames are realistic. */
const TEXT = 'Welcome back to the show! Today we have the new trail runners in three colours, and the first fifty orders ship free.';

/**
 * The event every load run publishes. `seq` checks loss and order; `sentUs` is stamped just before
 * the request is written, so receivers measure publish→deliver. Both come before any free text,
 * so receivers find them without parsing JSON.
 */
export const eventBody = (seq: number): string => `{"type":"bench.tick","seq":${seq},"sentUs":${nowUs()},"text":"${TEXT}"}`;

/** Reads a non-negative integer written (in ASCII) at `pos`; -1 when there is none. */
export function readInt(bytes: Uint8Array, pos: number): number {
  let n = -1;
  for (let i = pos; i < bytes.length; i++) {
    const c = bytes[i]! - 48;
    if (c < 0 || c > 9) break;
    n = n < 0 ? c : n * 10 + c;
  }
  return n;
}

export interface Target {
  /** Shown in output. */
  name: string;
  /** SSE endpoint subscribers open. */
  subUrl: string;
  /** Endpoint that takes one event per POST. */
  pubUrl: string;
  /** Sent on every request (e.g. Authorization). */
  headers?: Record<string, string>;
}

/** POSTs one JSON body; resolves with the status (0 on a network error), having drained the answer. */
export function post(agent: http.Agent, url: URL, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
