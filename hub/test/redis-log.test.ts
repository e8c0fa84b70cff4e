import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { StoreUnavailableError, type NewEvent } from '../src/log/event-log.js';
import { classifyResumePoint } from '../src/log/ids.js';
import { openRedisLog } from '../src/log/redis-log.js';
import { logConformance } from './helpers/log-conformance.js';
import { startRedis, type RedisServer } from '@showwire/testkit';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(() => redis.destroy());

// Each test gets a keyspace of its own (a fresh prefix) on the one real redis-server.
logConformance('Redis Streams', async () => {
  const prefix = `{t${randomBytes(4).toString('hex')}}:`;
  const log = await openRedisLog({ url: redis.url, prefix });
  return {
    log,
    reopen: () => openRedisLog({ url: redis.url, prefix }),
    cleanup: () => log.close(),
  };
});

describe('Redis log epoch guard', () => {
  it('refuses appends (StoreUnavailableError naming Redis) once Redis lost its data, instead of reusing ids', async () => {
    const prefix = `{g${randomBytes(4).toString('hex')}}:`;
    const log = await openRedisLog({ url: redis.url, prefix });
    const raw = new Redis(redis.url);
    try {
      const now = Date.now() / 1000;
      const ev = { type: 'x', show: 's', source: 'agent:t', timestamp: now, receivedAt: now } as NewEvent;
      const [first] = await log.append([ev]);
      // What a Redis restart without persistence leaves: none of the log's keys.
      const keys = await raw.keys(`${prefix}*`);
      assert.ok(keys.length > 0);
      await raw.del(...keys);
      await assert.rejects(log.append([ev]), (e: unknown) => e instanceof StoreUnavailableError && /Redis is unavailable: EPOCH/.test(e.message));
      await assert.rejects(log.checkWritable(), /Redis is unavailable: the log's epoch in Redis is null/);
      assert.equal(await raw.exists(`${prefix}seq`), 0, 'nothing was written: the id of the first event is not handed out again');
      // A hub opened afterwards starts a new log with a new epoch: old resume points are told apart.
      const fresh = await openRedisLog({ url: redis.url, prefix });
      assert.notEqual(fresh.epoch, log.epoch);
      assert.equal(classifyResumePoint(fresh.epoch, first!.id).kind, 'other_epoch');
      await fresh.close();
    } finally {
      raw.disconnect();
      await log.close();
    }
  });
});

describe('Redis log retention by count', () => {
  it('trims a show far over its limit in chunks, keeping exactly its newest events and the other shows', async () => {
    const log = await openRedisLog({ url: redis.url, prefix: `{c${randomBytes(4).toString('hex')}}:` });
    try {
      const now = Date.now() / 1000;
      const ev = (show: string, n: number) => ({ type: 'x', show, source: 'agent:t', timestamp: now, receivedAt: now, n, eventId: `e${n}` }) as NewEvent;
      const big = await log.append(Array.from({ length: 1200 }, (_, n) => ev('big', n)));
      await log.append([ev('small', 0)]);
      assert.deepEqual(await log.prune({ maxAgeSeconds: 3600, maxPerShow: 100 }), { deleted: 1100 });
      const left = await log.read({ shows: ['big'], limit: 1000 });
      assert.deepEqual(left.map((r) => r.id), big.slice(1100).map((r) => r.id));
      const all = await log.read({ limit: 1000 });
      assert.equal(all.length, 101, 'the global stream lost the same entries');
      assert.equal(await log.prunedAfter(big[1098]!.id, ['big']), true);
      assert.equal(await log.prunedAfter(big[1099]!.id, ['big']), false);
      // A pruned event's idempotency key went with it; a retained one still holds.
      const [again] = await log.append([ev('big', 5)]);
      assert.equal(again!.duplicate, false);
      const [kept] = await log.append([ev('big', 1150)]);
      assert.equal(kept!.duplicate, true);
      assert.equal(kept!.id, big[1150]!.id);
    } finally {
      await log.close();
    }
  });
});
