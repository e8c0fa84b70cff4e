import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startRedis } from '@showwire/testkit';
import { cpuUs, rssKiB, runFanout, type FanoutResult, type Pool, type Target } from '@showwire/stream-test/load';
import { startHub, type Server } from './servers.js';

/**
 * The hub on Redis (`HUB_STORE=redis://…`) as one more fan-out target: a real `redis-server` with
 * AOF and `appendfsync always` (testkit's `startRedis`: the same durability promise as the SQLite
 * hub's fsync), one hub process on it. Beside the hub's CPU per delivery it reports what Redis
 * itself spends per published event: its CPU from /proc, its commands and network bytes from INFO.
 */
export interface RedisHub extends Server {
  redisPid: () => number;
  redisPort: number;
}

export async function startRedisHub(): Promise<RedisHub> {
  const redis = await startRedis();
  try {
    // Auth is off as for the SQLite hub; the config still requires the secret all hubs share.
    const hub = await startHub({ HUB_STORE: redis.url, HUB_SECRET: randomBytes(32).toString('hex') });
    return {
      ...hub,
      name: 'hub on redis',
      redisPid: () => redis.pid()!,
      redisPort: redis.port,
      stop: async () => {
        await hub.stop();
        await redis.destroy();
      },
    };
  } catch (error) {
    await redis.destroy();
    throw error;
  }
}

/** The hub's publish and stream URLs for `channel`, as bench/run.ts builds them for the SQLite hub. */
export const hubTarget = (name: string, base: string, channel: string): Target => ({
  name,
  subUrl: `${base}/api/shows/${channel}/stream`,
  pubUrl: `${base}/api/shows/${channel}/events`,
});

interface RedisSnapshot {
  cpuUs: number;
  commands: number;
  netIn: number;
  netOut: number;
  /** Calls per command name (commandstats counts the commands a Lua script runs, too). */
  calls: Record<string, number>;
}

/** Redis's CPU from /proc and its counters from INFO, read synchronously (see `runRedisFanout`). */
function snapshot(hub: RedisHub): RedisSnapshot {
  const info = spawnSync('redis-cli', ['-p', String(hub.redisPort), 'INFO', 'all'], { encoding: 'utf8' }).stdout ?? '';
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2]);
  return {
    cpuUs: cpuUs([hub.redisPid()]).total,
    commands: field('total_commands_processed'),
    netIn: field('total_net_input_bytes'),
    netOut: field('total_net_output_bytes'),
    calls,
  };
}

export interface RedisCost {
  /** Redis's utime + stime over the measured window, per event the hub accepted. */
  cpuUsPerEvent: number | null;
  /** INFO's total_commands_processed per event (Redis 7 counts a script's inner commands too). */
  commandsPerEvent: number | null;
  /** Every command run, scripts' inner ones included (INFO commandstats), per event, by name. */
  callsPerEvent: Record<string, number>;
  netInBytesPerEvent: number | null;
  netOutBytesPerEvent: number | null;
  rssMiB: number;
}

export interface RedisFanout {
  fanout: FanoutResult;
  redis: RedisCost;
}

const per = (n: number, events: number) => (Number.isFinite(n) && events > 0 ? Math.round((n / events) * 100) / 100 : null);

/**
 * `runFanout` on the Redis hub, with Redis's own cost over exactly the window in which the hub's
 * CPU is measured: runFanout reads its server's pids once when the window opens and once when it
 * closes, so the pid callback takes a Redis snapshot on those two calls. The snapshot is
 * synchronous (it briefly blocks this thread, not the subscriber workers, and never mid-publish).
 */
export async function runRedisFanout(pool: Pool, hub: RedisHub, channel: string, o: { subscribers: number; rate: number; seconds: number }): Promise<RedisFanout> {
  const snaps: RedisSnapshot[] = [];
  const pids = () => {
    if (snaps.length < 2) snaps.push(snapshot(hub));
    return hub.pids();
  };
  const fanout = await runFanout(pool, hubTarget('hub on redis', hub.base, channel), o, pids);
  const [a, b] = snaps;
  const events = fanout.published;
  const callsPerEvent: Record<string, number> = {};
  if (a && b) {
    for (const [name, calls] of Object.entries(b.calls)) {
      const v = per(calls - (a.calls[name] ?? 0), events);
      if (v) callsPerEvent[name] = v;
    }
  }
  return {
    fanout,
    redis: {
      cpuUsPerEvent: a && b ? per(b.cpuUs - a.cpuUs, events) : null,
      // INFO itself is one command, issued inside the window.
      commandsPerEvent: a && b ? per(b.commands - a.commands - 1, events) : null,
      callsPerEvent,
      netInBytesPerEvent: a && b ? per(b.netIn - a.netIn, events) : null,
      netOutBytesPerEvent: a && b ? per(b.netOut - a.netOut, events) : null,
      rssMiB: Math.round(rssKiB([hub.redisPid()]) / 102.4) / 10,
    },
  };
}

export interface RedisBench {
  version: string;
  /** (a0): one subscriber, so CPU per delivery is CPU per published event. */
  publishCost: RedisFanout;
  /** (a): BENCH_SUBSCRIBERS × BENCH_RATE. */
  fanout: RedisFanout;
}

/** Warm-up, (a0) and (a) on the Redis hub, with the sizes bench/run.ts uses for the others. */
export async function runRedisBench(pool: Pool, hub: RedisHub, s: { subscribers: number; rate: number; seconds: number }): Promise<RedisBench> {
  process.stdout.write('  warm-up: hub on redis…\n');
  await runFanout(pool, hubTarget('hub on redis', hub.base, 'bench-warmup'), { subscribers: 100, rate: s.rate, seconds: 2 });
  process.stdout.write('  (a0) publish cost: hub on redis…\n');
  const publishCost = await runRedisFanout(pool, hub, 'bench-publish', { subscribers: 1, rate: s.rate, seconds: 5 });
  process.stdout.write('  (a) fan-out: hub on redis…\n');
  const fanout = await runRedisFanout(pool, hub, 'bench-fanout', s);
  const version = /redis_version:(\S+)/.exec(spawnSync('redis-cli', ['-p', String(hub.redisPort), 'INFO', 'server'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'unknown';
  return { version, publishCost, fanout };
}

type Num = number | null | undefined;
const show = (v: Num | string | boolean) => (v == null ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'NO') : String(v));
const ratio = (a: Num, b: Num) => (a == null || b == null || b === 0 ? null : Math.round((a / b) * 100) / 100);

function align(t: string[][]): string {
  const widths = t[0]!.map((_, c) => Math.max(...t.map((row) => (row[c] ?? '').length)));
  return t.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/**
 * The Redis hub beside the SQLite hub and Nchan at (a0) and (a), then what Redis itself spent per
 * published event. "hub + Redis" is the whole cost of the Redis mode on this one machine.
 */
export function formatRedisTable(r: RedisBench, sqlite: { publishCost: FanoutResult; fanout: FanoutResult }, nchan: { publishCost: FanoutResult; fanout: FanoutResult }, s: { subscribers: number; rate: number; seconds: number }): string {
  const f = r.fanout.fanout;
  const whole = (x: RedisFanout) =>
    x.fanout.serverCpuUsPerDelivery == null || x.redis.cpuUsPerEvent == null ? null : Math.round((x.fanout.serverCpuUsPerDelivery + (x.redis.cpuUsPerEvent * x.fanout.published) / Math.max(1, x.fanout.delivered)) * 100) / 100;
  const row = (label: string, redis: Num | boolean, lite: Num | boolean, nc: Num | boolean, ratios = true) => [
    label,
    show(redis),
    show(lite),
    show(nc),
    ratios && typeof redis !== 'boolean' && typeof lite !== 'boolean' ? show(ratio(redis, lite)) : '',
    ratios && typeof redis !== 'boolean' && typeof nc !== 'boolean' ? show(ratio(redis, nc)) : '',
  ];
  const main = [
    ['', 'hub on redis', 'hub (sqlite)', 'nchan', 'redis/sqlite', 'redis/nchan'],
    row('(a0) server CPU µs per published event (1 subscriber)', r.publishCost.fanout.serverCpuUsPerDelivery, sqlite.publishCost.serverCpuUsPerDelivery, nchan.publishCost.serverCpuUsPerDelivery),
    [`(a) ${s.subscribers} subscribers × ${s.rate} events/s × ${s.seconds} s`, '', '', '', '', ''],
    row('  delivered/s', f.deliveredPerSec, sqlite.fanout.deliveredPerSec, nchan.fanout.deliveredPerSec),
    row('  publish→deliver p50, ms', f.p50Ms, sqlite.fanout.p50Ms, nchan.fanout.p50Ms),
    row('  publish→deliver p99, ms', f.p99Ms, sqlite.fanout.p99Ms, nchan.fanout.p99Ms),
    row('  server CPU µs/delivery (hub process)', f.serverCpuUsPerDelivery, sqlite.fanout.serverCpuUsPerDelivery, nchan.fanout.serverCpuUsPerDelivery),
    row('  hub + Redis CPU µs/delivery', whole(r.fanout), sqlite.fanout.serverCpuUsPerDelivery, nchan.fanout.serverCpuUsPerDelivery),
    row('  server RSS, MiB (hub process)', f.serverRssMiB, sqlite.fanout.serverRssMiB, nchan.fanout.serverRssMiB),
    row('  zero loss (all got all, in order)', f.zeroLoss, sqlite.fanout.zeroLoss, nchan.fanout.zeroLoss, false),
  ];
  const calls = (x: RedisFanout) =>
    Object.entries(x.redis.callsPerEvent)
      .filter(([name]) => name !== 'info')
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${n}`)
      .join(', ') || '—';
  const cost = [
    [`Redis ${r.version} itself (AOF, appendfsync always), per published event`, '(a0)', '(a)'],
    ['  Redis CPU µs/event', show(r.publishCost.redis.cpuUsPerEvent), show(r.fanout.redis.cpuUsPerEvent)],
    ['  commands/event (scripts\' inner ones included)', show(r.publishCost.redis.commandsPerEvent), show(r.fanout.redis.commandsPerEvent)],
    ['  bytes in/event', show(r.publishCost.redis.netInBytesPerEvent), show(r.fanout.redis.netInBytesPerEvent)],
    ['  bytes out/event', show(r.publishCost.redis.netOutBytesPerEvent), show(r.fanout.redis.netOutBytesPerEvent)],
    ['  Redis RSS, MiB', show(r.publishCost.redis.rssMiB), show(r.fanout.redis.rssMiB)],
  ];
  return `${align(main)}\n\n${align(cost)}\n  commands run per event (a0): ${calls(r.publishCost)}\n  commands run per event (a):  ${calls(r.fanout)}`;
}

/** What went wrong on the Redis hub that its numbers would hide. */
export function redisProblems(r: RedisBench): string[] {
  const out: string[] = [];
  for (const [label, { fanout: x }] of [['a0', r.publishCost], ['a', r.fanout]] as const) {
    if (x.connectFailures) out.push(`hub on redis (${label}): ${x.connectFailures} subscribers failed to connect: ${x.errors.join('; ')}`);
    if (x.publishFailures) out.push(`hub on redis (${label}): ${x.publishFailures} publishes failed`);
    if (x.lost) out.push(`hub on redis (${label}): ${x.lost} of ${x.expected} deliveries missing`);
    if (x.outOfSequence) out.push(`hub on redis (${label}): ${x.outOfSequence} deliveries out of sequence`);
    if (x.dropped) out.push(`hub on redis (${label}): ${x.dropped} subscribers were disconnected`);
  }
  return out;
}
