import { availableParallelism, loadavg } from 'node:os';
import { createPool, openFileLimit, runFanout } from '@showwire/stream-test/load';
import { formatRedisTable, hubTarget, redisProblems, runRedisBench, startRedisHub } from './redis.js';
import { startHub, startNchan, type Server } from './servers.js';
import { settings } from './settings.js';

/**
 * `npm run bench:redis`: only the fan-out part of `npm run bench` — (a0) and (a) on the SQLite hub,
 * Nchan and the hub on Redis — so the Redis mode can be measured in a few minutes without the
 * rest. Same BENCH_SUBSCRIBERS, BENCH_RATE, BENCH_SECONDS, BENCH_WORKERS as bench/run.ts.
 */

async function main() {
  const servers: Server[] = [];
  const pool = createPool(settings.workers);
  try {
    const hub = await startHub();
    servers.push(hub);
    const nchan = await startNchan(Math.min(openFileLimit(), 65_536));
    servers.push(nchan);
    const redisHub = await startRedisHub();
    servers.push(redisHub);
    console.log(`bench:redis: ${availableParallelism()} CPUs, Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`);
    const run = Date.now().toString(36);
    const nchanTarget = (ch: string) => ({ name: 'nchan', subUrl: `${nchan.base}/sub?id=${ch}-${run}`, pubUrl: `${nchan.base}/pub?id=${ch}-${run}` });
    const both = async (label: string, ch: string, subscribers: number, seconds: number) => {
      process.stdout.write(`  ${label}: hub…\n`);
      const h = await runFanout(pool, hubTarget('hub', hub.base, ch), { subscribers, rate: settings.rate, seconds }, hub.pids);
      process.stdout.write(`  ${label}: nchan…\n`);
      const n = await runFanout(pool, nchanTarget(ch), { subscribers, rate: settings.rate, seconds }, nchan.pids);
      return { hub: h, nchan: n };
    };
    await both('warm-up', 'bench-warmup', 100, 2);
    const publishCost = await both('(a0) publish cost', 'bench-publish', 1, 5);
    const fanout = await both('(a) fan-out', 'bench-fanout', settings.subscribers, settings.seconds);
    const redis = await runRedisBench(pool, redisHub, settings);
    console.log(`\n${formatRedisTable(redis, { publishCost: publishCost.hub, fanout: fanout.hub }, { publishCost: publishCost.nchan, fanout: fanout.nchan }, settings)}\n`);
    console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}`);
    for (const [label, x] of [['a0', publishCost], ['a', fanout]] as const) {
      for (const [name, r] of Object.entries(x)) if (!r.zeroLoss) console.log(`! ${name} (${label}): not zero loss: ${r.lost} lost, ${r.outOfSequence} out of sequence, ${r.connectFailures} connect failures ${r.errors.join('; ')}`);
    }
    for (const p of redisProblems(redis)) console.log(`! ${p}`);
  } finally {
    await pool.terminate();
    for (const s of servers) await s.stop();
  }
}

main().catch((error: unknown) => {
  console.error('bench:redis failed:', error);
  process.exitCode = 1;
});
