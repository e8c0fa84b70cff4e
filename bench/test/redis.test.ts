import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPool, type Pool } from '@showwire/stream-test/load';
import { formatRedisTable, redisProblems, runRedisFanout, startRedisHub, type RedisBench, type RedisHub } from '../redis.js';

/**
 * The bench's Redis mode measures what it says: a built hub on a real redis-server (AOF,
 * appendfsync always), a few real SSE subscribers, and Redis's cost read over the same window as
 * the hub's. Small sizes: this checks the accounting, not the speed.
 */
let hub: RedisHub;
let pool: Pool;
before(async () => {
  hub = await startRedisHub();
  pool = createPool(1);
});
after(async () => {
  await pool?.terminate();
  await hub?.stop();
});

test("the Redis hub's fan-out is complete and Redis's own cost per event is counted", async () => {
  const x = await runRedisFanout(pool, hub, 'bench-redis-test', { subscribers: 5, rate: 20, seconds: 2 });
  assert.equal(x.fanout.zeroLoss, true, JSON.stringify(x.fanout));
  assert.equal(x.fanout.delivered, x.fanout.published * 5);
  assert.ok(x.fanout.published >= 30, `published ${x.fanout.published}`);
  const r = x.redis;
  // Every accepted event went through the append script, which adds it to two streams (the
  // show's and the all-shows one), and was read back once by this hub's stream reader.
  // One append script per event: EVALSHA, or EVAL the first time a script is not cached yet.
  assert.ok((r.callsPerEvent.evalsha ?? 0) + (r.callsPerEvent.eval ?? 0) >= 1, JSON.stringify(r.callsPerEvent));
  assert.equal(r.callsPerEvent.xadd, 2, JSON.stringify(r.callsPerEvent));
  assert.ok((r.callsPerEvent.xread ?? 0) > 0 && (r.callsPerEvent.xread ?? 0) <= 1, JSON.stringify(r.callsPerEvent));
  assert.ok(r.commandsPerEvent !== null && r.commandsPerEvent >= 6, `commands/event ${r.commandsPerEvent}`);
  // The event body (~190 bytes of JSON) is written to Redis inside the script call, and read back.
  assert.ok(r.netInBytesPerEvent !== null && r.netInBytesPerEvent > 190, `in ${r.netInBytesPerEvent}`);
  assert.ok(r.netOutBytesPerEvent !== null && r.netOutBytesPerEvent > 190, `out ${r.netOutBytesPerEvent}`);
  assert.ok(r.cpuUsPerEvent !== null && r.cpuUsPerEvent >= 0, `cpu ${r.cpuUsPerEvent}`);
  assert.ok(r.rssMiB > 0);

  const bench: RedisBench = { version: '7', publishCost: x, fanout: x };
  assert.deepEqual(redisProblems(bench), []);
  const table = formatRedisTable(bench, { publishCost: x.fanout, fanout: x.fanout }, { publishCost: x.fanout, fanout: x.fanout }, { subscribers: 5, rate: 20, seconds: 2 });
  assert.match(table, /hub \+ Redis CPU µs\/delivery/);
  assert.match(table, /xadd 2/);
  // A lost delivery is reported, not hidden in the table.
  const lossy = { ...x, fanout: { ...x.fanout, lost: 3, expected: x.fanout.expected } };
  assert.match(redisProblems({ ...bench, fanout: lossy }).join('\n'), /hub on redis \(a\): 3 of \d+ deliveries missing/);
});
