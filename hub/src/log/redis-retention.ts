import type { Redis } from 'ioredis';
import { StoreUnavailableError, type RetentionPolicy } from './event-log.js';
import type { RedisKeys } from './redis-keys.js';
import { DELETE } from './redis-scripts.js';

/** Events deleted per script run: each run is atomic, and short enough not to stall Redis. */
const CHUNK = 500;

type Entry = [string, string[]];
const field = (f: string[], name: string) => {
  for (let i = 0; i < f.length; i += 2) if (f[i] === name) return f[i + 1]!;
  return '';
};
const seqOf = (entryId: string) => Number(entryId.slice(0, entryId.indexOf('-')));

/**
 * Retention of the Redis log, by age and by count per show. By age it walks the global stream
 * from its oldest entry and stops at the first one young enough (hubs stamp `receivedAt` with
 * their own clocks, so skew between hubs can keep an old event a little longer, never drop a
 * young one early). By count it trims each show's stream to the newest `maxPerShow` and deletes
 * the same entries from the global stream. Both cost what they delete, not what the log holds.
 */
export function redisRetention(redis: Redis, keys: RedisKeys) {
  redis.defineCommand('swDelete', { lua: DELETE });
  const del = async (victims: Array<{ seq: number; show: string; eid: string }>): Promise<number> => {
    let deleted = 0;
    for (let i = 0; i < victims.length; i += CHUNK) {
      const part = victims.slice(i, i + CHUNK);
      const keyList = [keys.log, keys.pruned, ...part.flatMap((v) => [keys.show(v.show), keys.eids(v.show)])];
      const args = part.flatMap((v) => [v.seq, v.show, v.eid]);
      deleted += await (redis as unknown as { swDelete(n: number, ...a: Array<string | number>): Promise<number> }).swDelete(
        keyList.length,
        ...keyList,
        part.length,
        ...args,
      );
    }
    return deleted;
  };

  async function prune(policy: RetentionPolicy, now: number): Promise<{ deleted: number }> {
    try {
      let deleted = 0;
      const cutoff = now - policy.maxAgeSeconds;
      for (;;) {
        const entries = (await redis.xrange(keys.log, '-', '+', 'COUNT', CHUNK)) as Entry[];
        const old = [];
        for (const [id, f] of entries) {
          if (Number(field(f, 'r')) >= cutoff) break;
          old.push({ seq: seqOf(id), show: field(f, 's'), eid: field(f, 'e') });
        }
        if (old.length) deleted += await del(old);
        if (old.length < entries.length || entries.length < CHUNK) break;
      }
      for (const show of await redis.smembers(keys.shows)) {
        let over = (await redis.xlen(keys.show(show))) - policy.maxPerShow;
        // Oldest first, a chunk at a time: a show far over its limit is never read whole.
        while (over > 0) {
          const entries = (await redis.xrange(keys.show(show), '-', '+', 'COUNT', Math.min(over, CHUNK))) as Entry[];
          if (entries.length === 0) break;
          deleted += await del(entries.map(([id, f]) => ({ seq: seqOf(id), show, eid: field(f, 'e') })));
          over -= entries.length;
        }
      }
      return { deleted };
    } catch (error) {
      throw new StoreUnavailableError('Redis', error);
    }
  }

  /** True when retention deleted an event after `afterSeq` in any of `shows` (any show when absent). */
  async function prunedAfter(afterSeq: number, shows?: readonly string[]): Promise<boolean> {
    try {
      const tops = shows ? await redis.hmget(keys.pruned, ...shows) : [await redis.hget(keys.pruned, '*')];
      return tops.some((t) => t !== null && Number(t) > afterSeq);
    } catch (error) {
      throw new StoreUnavailableError('Redis', error);
    }
  }

  return { prune, prunedAfter };
}
