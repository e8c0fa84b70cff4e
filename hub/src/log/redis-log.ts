import { Redis } from 'ioredis';
import type { HubEvent } from '@showwire/protocol';
import { StoreUnavailableError, type AppendedRecord, type HubLog, type LogRecord, type NewEvent } from './event-log.js';
import { classifyResumePoint, compareIds, formatId, isEpoch, newEpoch } from './ids.js';
import { createListeners } from './listeners.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import { createRedisReader } from './redis-reader.js';
import { redisRetention } from './redis-retention.js';
import { createAppendBatcher, type AppendAnswer } from './redis-append-batch.js';
import { appendScript, NO_APPEND_HOOK } from './redis-scripts.js';

interface RedisLogOptions {
  url: string;
  /** Key prefix; its `{…}` hash tag keeps every key in one Cluster slot. */
  prefix?: string;
  /** Every command's deadline (HUB_REDIS_TIMEOUT_MS); past it the command fails as Redis being unavailable. */
  commandTimeoutMs?: number;
}

type Fields = string[];
/** A stream entry's fields (`s`, `t`, `r`, `e`, `j`) as an object. */
const fieldsOf = (f: Fields) => {
  const o: Record<string, string> = {};
  for (let i = 0; i < f.length; i += 2) o[f[i]!] = f[i + 1]!;
  return o;
};
const seqOfEntry = (entryId: string) => Number(entryId.slice(0, entryId.indexOf('-')));

/** What a failed Redis command becomes: a 503 naming Redis, unless it is the epoch guard. */
const wrap = (error: unknown): never => {
  throw new StoreUnavailableError('Redis', error);
};

/**
 * The event log on Redis Streams, for many hubs on one Redis (docs/redis.md): appends are Lua
 * scripts, the concurrent requests' appends together in one call (redis-append-batch.ts), so ids are strictly increasing
 * across every hub; a show's history is its own stream (a page is one XRANGE); every hub hears
 * every append through one blocking XREAD on a connection of its own (redis-reader.ts).
 */
/**
 * What a feature writes with each append, atomically with the events (the Redis counterpart of
 * the SQLite log's commit hook; the webhook outbox uses it). `lua` defines
 * `local function append_hook(keys, argv)` (redis-scripts.ts says what it answers); `prepare`
 * gives its keys and arguments for one append, and is asked again with `stale` set when the hook
 * refused the append (what it prepared from has changed).
 */
export interface RedisAppendHook {
  lua: string;
  prepare(events: readonly NewEvent[], stale: boolean): Promise<{ keys: string[]; args: Array<string | number> }>;
}

/** A hook that refuses this many appends in a row fails the append. */
const HOOK_TRIES = 5;
const NO_HOOK = { keys: [], args: [] };

/** The Redis log, plus its connection and key prefix for features that share its keyspace. */
export interface RedisEventLog extends HubLog {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** Installs the one append hook (before the first append). */
  setAppendHook(hook: RedisAppendHook): void;
}

export async function openRedisLog(opts: RedisLogOptions): Promise<RedisEventLog> {
  const keys: RedisKeys = redisKeys(opts.prefix ?? '{showwire}:');
  // Commands fail at once while Redis is away (no offline queue, one retry), and after
  // commandTimeout while it is there but not answering (stalled): an ingest gets a 503 instead of
  // hanging, and no 2xx is ever given for an event Redis did not take.
  const commandTimeout = opts.commandTimeoutMs ?? 750;
  const redis = new Redis(opts.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, commandTimeout, connectTimeout: Math.max(commandTimeout, 2_000) });
  // Reconnects by itself; failures surface on the commands that need Redis. The last one is kept
  // for the start-up error, which otherwise only says "Connection is closed".
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => (lastError = error));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    wrap(lastError ?? error);
  }
  redis.defineCommand('swAppend', { lua: appendScript(NO_APPEND_HOOK) });
  let hook: RedisAppendHook | undefined;
  await redis.set(keys.epoch, newEpoch(), 'NX').catch(wrap);
  const epoch = (await redis.get(keys.epoch).catch(wrap))!;
  if (!isEpoch(epoch)) throw new Error(`${keys.epoch} in Redis is "${epoch}", not an epoch this hub made`);
  const openedAt = Number((await redis.get(keys.seq).catch(wrap)) ?? 0);

  const listeners = createListeners();
  // Every hub's appends reach the listeners through this reader, this hub's own included: an
  // append answers once Redis has the event, without waiting for the reader to hear it.
  const reader = createRedisReader({
    url: opts.url,
    timeoutMs: commandTimeout,
    key: keys.log,
    from: openedAt,
    toRecord: (entryId, f) => {
      const o = fieldsOf(f);
      return { id: formatId(epoch, seqOfEntry(entryId)), show: o.s!, type: o.t!, json: o.j!, event: JSON.parse(o.j!) as HubEvent, duplicate: false, notified: 0 };
    },
    deliver: (records) => listeners.emit(records),
  });
  const retention = redisRetention(redis, keys);
  const batcher = createAppendBatcher(
    (k, a) => (redis as unknown as { swAppend(n: number, ...a: Array<string | number>): Promise<AppendAnswer[]> }).swAppend(k.length, ...k, ...a),
    () => ({ keys: [keys.epoch, keys.seq, keys.log, keys.shows], args: [epoch] }),
  );
  const seqOfId = (id: string) => Number(id.slice(epoch.length + 1));
  let closed = false;

  function afterSeq(after: string | undefined) {
    const p = after === undefined ? undefined : classifyResumePoint(epoch, after);
    return p?.kind === 'after' ? p.seq : 0;
  }

  /** Entries after `after` from one stream, as records. */
  async function range(key: string, after: number, count: number, show?: string): Promise<LogRecord[]> {
    const entries = (await redis.xrange(key, `(${after}-0`, '+', 'COUNT', count).catch(wrap)) as Array<[string, Fields]>;
    return entries.map(([entryId, f]) => {
      const o = fieldsOf(f);
      return { id: formatId(epoch, seqOfEntry(entryId)), show: show ?? o.s!, type: o.t!, json: o.j! };
    });
  }

  /** Up to `count` entries after `after`: the global stream, or the named shows' streams merged. */
  async function page(shows: readonly string[] | undefined, after: number, count: number): Promise<LogRecord[]> {
    if (!shows) return range(keys.log, after, count);
    const pages = await Promise.all(shows.map((s) => range(keys.show(s), after, count, s)));
    return pages.flat().sort((a, b) => compareIds(a.id, b.id)).slice(0, count);
  }

  const log: RedisEventLog = {
    redis,
    keys,
    epoch,
    setAppendHook(h) {
      hook = h;
      redis.defineCommand('swAppend', { lua: appendScript(h.lua) });
    },
    async append(events) {
      if (closed) throw new Error('log is closed');
      const eventKeys: string[] = [];
      const eventArgs: Array<string | number> = [];
      for (const e of events) {
        const { type, show, timestamp, receivedAt, source, ...rest } = e;
        eventKeys.push(keys.show(show), keys.eids(show));
        const body = JSON.stringify({ show, type, timestamp, receivedAt, source, ...rest });
        eventArgs.push(show, e.eventId ?? '', type, receivedAt, body);
      }
      let answer: AppendAnswer | undefined;
      for (let tries = 0; typeof answer !== 'object'; tries++) {
        try {
          const hooked = hook ? await hook.prepare(events, tries > 0) : NO_HOOK;
          answer = await batcher.add({ n: events.length, eventKeys, eventArgs, hook: hooked });
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('EPOCH')) throw new StoreUnavailableError('Redis', error);
          return wrap(error);
        }
        // Refused by the hook (what it prepared from changed): asked again, in a later call.
        if (typeof answer === 'string' && !(answer.startsWith('HOOK') && tries + 1 < HOOK_TRIES)) return wrap(new Error(answer));
      }
      return answer.map(([seq, json, dup], i): AppendedRecord => {
        const e = events[i]!;
        return { id: formatId(epoch, seq), show: e.show, type: e.type, json, event: JSON.parse(json) as HubEvent, duplicate: dup === 1, notified: 0 };
      });
    },
    async read(q) {
      const after = afterSeq(q.after);
      const types = q.types && new Set(q.types);
      if (!types) return page(q.shows, after, q.limit);
      // A type filter is applied here, page by page, until the page is full or the log ends.
      const out: LogRecord[] = [];
      let cursor = after;
      for (;;) {
        const batch = await page(q.shows, cursor, Math.max(q.limit, 500));
        for (const r of batch) if (types.has(r.type) && out.length < q.limit) out.push(r);
        if (out.length >= q.limit || batch.length < Math.max(q.limit, 500)) return out;
        cursor = seqOfId(batch.at(-1)!.id);
      }
    },
    async lastId() {
      const seq = Number((await redis.get(keys.seq).catch(wrap)) ?? 0);
      return seq > 0 ? formatId(epoch, seq) : undefined;
    },
    compare: compareIds,
    isId: (id) => classifyResumePoint(epoch, id).kind !== 'invalid',
    onAppend(listener) {
      const off = listeners.add(listener);
      // The reader starts with the first listener, from where the log stood at open: nothing
      // stored since is missed by whoever loaded the log before subscribing (the show registry).
      reader.start();
      return off;
    },
    prune: (policy, now) => retention.prune(policy, now ?? Date.now() / 1000),
    prunedAfter: (after, shows) =>
      classifyResumePoint(epoch, after).kind === 'other_epoch' ? Promise.resolve(true) : retention.prunedAfter(afterSeq(after), shows),
    async checkWritable() {
      const answers = (await redis.multi().set(keys.probe, String(Date.now())).get(keys.epoch).exec().catch(wrap)) ?? [];
      const failed = answers.find(([error]) => error)?.[0];
      if (failed || answers.length < 2) wrap(failed ?? new Error('the probe transaction was discarded'));
      const current = answers[1]![1];
      if (current !== epoch) wrap(new Error(`the log's epoch in Redis is ${String(current)}, not ${epoch} (Redis lost or replaced its data)`));
    },
    async close() {
      if (closed) return;
      closed = true;
      await reader.stop();
      redis.disconnect();
    },
  };
  return log;
}
