import http from 'node:http';

/** The system-wide monotonic clock in µs: comparable across threads and processes of one machine. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** About the size of a transcript line, so frames are realistic. */
const TEXT = 'Welcome back to the show! Today we have the new trail runners in three colours, and the first fifty orders ship free.';

/**
 * The event every load run publishes. `seq` checks loss and order; `sentUs` is stamped just before
 * the request is written, so receivers measure publish→deliver. Both come before any free text,
 * so receivers find them without parsing JSON. `ch` (before `seq`) names the channel of runs with
 * many, whose `seq` counts per channel.
 */
export const eventBody = (seq: number, ch?: number): string =>
  `{"type":"bench.tick",${ch === undefined ? '' : `"ch":${ch},`}"seq":${seq},"sentUs":${nowUs()},"text":"${TEXT}"}`;

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

/** Text written around a body: an API's envelope, or a batch's brackets. */
export interface Wrap {
  prefix: string;
  suffix: string;
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
  /** Sent on publishes only, after `headers` (e.g. an API key). */
  pubHeaders?: Record<string, string>;
  /**
   * The envelope a single publish is wrapped in, for servers whose API takes one
   * (Centrifugo: `{"channel":…,"data":` + event + `}`). Subscribers still find `"seq":` and
   * `"sentUs":` inside whatever envelope the server pushes.
   */
  pubWrap?: Wrap;
  /** Many events in one POST, when the server takes batches: `wrap` around the items joined by ',', each in `item`. */
  batch?: { url: string; wrap: Wrap; item: Wrap };
}

const NO_WRAP: Wrap = { prefix: '', suffix: '' };

/** The body of one publish of event `seq` to `target`. */
export function singleBody(target: Target, seq: number, ch?: number): string {
  const w = target.pubWrap ?? NO_WRAP;
  return w.prefix + eventBody(seq, ch) + w.suffix;
}

/** The body of one batch publish of events `from` … `from + size - 1` to `target`. */
export function batchBody(target: Target, from: number, size: number): string {
  const b = target.batch;
  if (!b) throw new Error(`${target.name} takes no batches`);
  const items: string[] = [];
  for (let seq = from; seq < from + size; seq++) items.push(b.item.prefix + eventBody(seq) + b.item.suffix);
  return b.wrap.prefix + items.join(',') + b.wrap.suffix;
}

/** Headers of a publish to `target`. */
export const publishHeaders = (target: Target): Record<string, string> => ({ ...target.headers, ...target.pubHeaders });

// Centrifugo's HTTP API answers some errors with a 200 and an `"error"` member: a 2xx carrying one is a failure.
const ERROR_MEMBER = Buffer.from('"error"');

/**
 * POSTs one JSON body; resolves with the status (0 on a network error, -1 for a 2xx whose body
 * holds an `"error"` member), having read the answer.
 */
export function post(agent: http.Agent, url: URL, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let error = false;
        res.on('data', (c: Buffer) => (error ||= c.includes(ERROR_MEMBER)));
        res.on('end', () => resolve(error && (res.statusCode ?? 0) < 300 ? -1 : (res.statusCode ?? 0)));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** POSTs one JSON body and answers with its status and text (for the few set-up requests whose answer matters). */
export function postForText(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
