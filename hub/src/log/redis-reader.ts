import { Redis } from 'ioredis';
import type { AppendedRecord } from './event-log.js';

/**
 * One hub's ear on the global stream: a blocking XREAD on a connection of its own, so an idle
 * hub sleeps in Redis instead of polling. It delivers every entry after `from` exactly once, in
 * order; when Redis goes away it keeps its position and carries on from there once Redis is back
 * (open SSE streams stay open meanwhile and miss nothing).
 */
/** How long one XREAD waits in Redis for new entries before answering empty. */
const BLOCK_MS = 5_000;

export function createRedisReader(opts: {
  url: string;
  /** HUB_REDIS_TIMEOUT_MS: a read not answered this long after its BLOCK ran out means a lost connection. */
  timeoutMs: number;
  key: string;
  from: number;
  toRecord: (entryId: string, fields: string[]) => AppendedRecord;
  deliver: (records: AppendedRecord[], upTo: number) => void;
}) {
  // No retries or resends by ioredis: the loop below re-issues the read from its own position.
  const redis = new Redis(opts.url, { maxRetriesPerRequest: null, autoResendUnfulfilledCommands: false, lazyConnect: true });
  redis.on('error', () => {});
  let position = opts.from;
  let running: Promise<void> | undefined;
  let stopped = false;
  // A read in flight when the connection drops may never settle (ioredis does not resend it):
  // every drop fails the read at hand, and the loop issues a fresh one from its position.
  let dropped: (error: Error) => void = () => {};
  redis.on('close', () => dropped(new Error('connection to Redis closed')));

  async function loop() {
    let backoff = 50;
    while (!stopped) {
      try {
        if (redis.status === 'wait') await redis.connect();
        const read = redis.xread('COUNT', 1000, 'BLOCK', BLOCK_MS, 'STREAMS', opts.key, `${position}-0`) as Promise<Array<[string, Array<[string, string[]]>]> | null>;
        read.catch(() => {});
        // The blocking read gets its own deadline (the log's commandTimeout would cut every idle
        // wait): Redis answers an idle BLOCK after BLOCK_MS, so silence well past it is a dead
        // connection or a stalled Redis; reconnecting re-issues the read from the position.
        const deadline = setTimeout(() => redis.disconnect(true), BLOCK_MS + opts.timeoutMs);
        const answer = await Promise.race([read, new Promise<never>((_, reject) => (dropped = reject))]).finally(() => clearTimeout(deadline));
        backoff = 50;
        const entries = answer?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        const records = entries.map(([id, fields]) => opts.toRecord(id, fields));
        const last = entries.at(-1)![0];
        position = Number(last.slice(0, last.indexOf('-')));
        opts.deliver(records, position);
      } catch {
        if (stopped) return;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 1000);
      }
    }
  }

  return {
    /** Starts reading (once); later calls do nothing. */
    start() {
      running ??= loop();
    },
    /** The highest sequence number delivered so far. */
    position: () => position,
    async stop() {
      stopped = true;
      redis.disconnect();
      await running;
    },
  };
}
