import type { Socket } from 'node:net';
import { newHistogram, record, type Histogram } from './histogram.js';
import { readInt } from './payload.js';
import { openSse } from './sse-socket.js';

/** What one group of subscribers saw; summed across workers by the pool. */
export interface SubscriberStats {
  connected: number;
  failed: number;
  /** Connections that ended before they were closed by us. */
  dropped: number;
  /** Subscribers that received exactly the expected number of events (order is `outOfSequence`). */
  complete: number;
  /** Bench events received, all subscribers together. */
  received: number;
  /** Arrivals whose `seq` was not the previous one + 1 (a gap, a duplicate or a reorder). */
  outOfSequence: number;
  latency: Histogram;
  /** When the last bench event arrived (system-wide monotonic µs, 0 before any): the end of a resume. */
  lastUs: number;
  errors: string[];
}

const CH = Buffer.from('"ch":');
const SEQ = Buffer.from('"seq":');
const SENT = Buffer.from('"sentUs":');

/**
 * Many SSE subscribers with as little client work as possible: bare sockets (see sse-socket),
 * only `data:` lines are looked at, and only their `"seq":` and `"sentUs":` numbers are read,
 * from the bytes (no string, no JSON parse). Per-subscriber state lives in typed arrays.
 *
 * `url` is one URL for all, or one per subscriber. With `channels` > 1 a subscriber hears that
 * many channels (numbered by the events' `"ch":`), each with its own `seq`, and is checked per
 * channel; it is complete once it has `expected` events in all.
 */
export function openSubscribers(url: string | string[], count: number, headers: Record<string, string>, concurrency = 200, channels = 1) {
  const lastSeq = new Int32Array(count * channels);
  const got = new Int32Array(count);
  const sockets: Socket[] = [];
  let closing = false;
  let expected = Infinity;
  let waiter: (() => void) | undefined;
  const stats: SubscriberStats = { connected: 0, failed: 0, dropped: 0, complete: 0, received: 0, outOfSequence: 0, latency: newHistogram(), lastUs: 0, errors: [] };
  const note = (message: string) => {
    if (stats.errors.length < 5) stats.errors.push(message);
  };

  /** Every bench event in one data line: usually one, several when a server packs a resume into one message (Centrifugo). */
  function onData(i: number, buf: Buffer, start: number, end: number, now: number) {
    let from = start;
    for (let s = buf.indexOf(SEQ, start); s >= 0 && s < end; s = buf.indexOf(SEQ, s + SEQ.length)) {
      const seq = readInt(buf, s + SEQ.length);
      const t = buf.indexOf(SENT, s);
      if (t > 0 && t < end) record(stats.latency, now - readInt(buf, t + SENT.length));
      const c = channels > 1 ? buf.indexOf(CH, from) : -1;
      const k = i * channels + (c >= 0 && c < s ? Math.max(0, Math.min(channels - 1, readInt(buf, c + CH.length))) : 0);
      from = s + SEQ.length;
      if (seq !== lastSeq[k]! + 1) stats.outOfSequence++;
      lastSeq[k] = seq;
      stats.received++;
      stats.lastUs = now;
      if (++got[i]! === expected) {
        stats.complete++;
        if (stats.complete === stats.connected) waiter?.();
      }
    }
  }

  function subscribe(i: number): Promise<void> {
    return new Promise((resolve) => {
      const socket = openSse(typeof url === 'string' ? url : url[i % url.length]!, headers, {
        open: () => {
          stats.connected++;
          resolve();
        },
        data: (buf, start, end, now) => onData(i, buf, start, end, now),
        end: (reason, wasOpen) => {
          if (closing) return resolve();
          if (wasOpen) stats.dropped++;
          else stats.failed++;
          note(reason);
          resolve();
        },
      });
      sockets.push(socket);
    });
  }

  async function connect(): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < count && !closing) await subscribe(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  }

  /** Resolves once every connected subscriber has `n` events, or after `timeoutMs`. */
  function waitFor(n: number, timeoutMs: number): Promise<SubscriberStats> {
    expected = n;
    stats.complete = 0;
    for (let i = 0; i < count; i++) if (got[i] === n) stats.complete++;
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        waiter = undefined;
        resolve(snapshot());
      }
      waiter = done;
      if (stats.complete === stats.connected) done();
    });
  }

  function snapshot(): SubscriberStats {
    let complete = 0;
    for (let i = 0; i < count; i++) if (got[i] === expected) complete++;
    return { ...stats, complete, errors: [...stats.errors] };
  }

  function close(): void {
    closing = true;
    for (const s of sockets) s.destroy();
    sockets.length = 0;
  }

  return { connect, waitFor, snapshot, close };
}
