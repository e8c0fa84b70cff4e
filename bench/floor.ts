import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, openFileLimit, runFloor, type FloorLayout, type FloorOptions, type FloorResult, type Pool } from '@showwire/stream-test/load';
import { startCentrifugo } from './centrifugo.js';
import { startHub, startNchan, versions, type Server } from './servers.js';
import { floorSettings as s, settings } from './settings.js';

/**
 * `npm run bench:floor`: the support floor, the load this product really meets. BENCH_FLOOR_SHOWS
 * shows (200) each publishing BENCH_FLOOR_RATE events/s (5) for BENCH_FLOOR_SECONDS (60), with
 * BENCH_FLOOR_WALLS subscribers (20) hearing every show and BENCH_FLOOR_PER_SHOW (2) on each
 * show; on the hub at write delay 0 and BENCH_FLOOR_WRITE_DELAY_MS (20), on nginx + Nchan and on
 * Centrifugo 6, one after another, each with an unmeasured warm-up of the same layout first.
 */
const here = dirname(fileURLToPath(import.meta.url));

/** The hub's layout; the warm-up and the measured run each use shows of their own (`prefix`). */
const hubLayout = (name: string, base: string, prefix: string): FloorLayout => ({
  name,
  // The wall as the dashboard opens it: every show, one stream.
  wallUrl: `${base}/api/stream`,
  showUrl: (k) => `${base}/api/shows/${prefix}-${k}/stream`,
  publish: (k) => ({ name, subUrl: '', pubUrl: `${base}/api/shows/${prefix}-${k}/events` }),
});

/** One measured run on a server, after a short unmeasured one on channels of its own. */
async function measure(pool: Pool, server: Server, layout: (prefix: string) => Promise<FloorLayout>, o: FloorOptions): Promise<FloorResult> {
  process.stdout.write(`  ${server.name}: warm-up…\n`);
  await runFloor(pool, await layout('warm'), { ...o, seconds: Math.min(2, o.seconds) }, server.pids);
  process.stdout.write(`  ${server.name}: ${o.seconds} s…\n`);
  return runFloor(pool, await layout('floor'), o, server.pids);
}

type Num = number | null;
const ratio = (a: Num, b: Num) => (a == null || b == null || b === 0 ? null : Math.round((a / b) * 100) / 100);
const cell = (v: Num | boolean | string) => (v == null ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'NO') : String(v));

function table(r: Record<string, FloorResult>, delay: number): string {
  const names = Object.keys(r);
  const delayed = r[`hub@${delay}ms`];
  const nchan = r.nchan;
  const rows: string[][] = [['', ...names, `hub@${delay}ms / nchan`]];
  const line = (label: string, f: (x: FloorResult) => Num | boolean) => {
    const [a, b] = delayed && nchan ? [f(delayed), f(nchan)] : [null, null];
    rows.push([label, ...names.map((n) => cell(f(r[n]!))), cell(typeof a === 'number' && typeof b === 'number' ? ratio(a, b) : null)]);
  };
  line('subscribers (walls + viewers)', (x) => x.walls + x.viewers);
  line('events published', (x) => x.published);
  line('deliveries', (x) => x.delivered);
  line('zero loss', (x) => x.zeroLoss);
  line('server CPU µs per delivery', (x) => x.serverCpuUsPerDelivery);
  line('server CPU % of a core', (x) => x.serverCpuPercent);
  line('kernel share of CPU', (x) => x.serverCpuKernelShare);
  line('latency p50 ms', (x) => x.p50Ms);
  line('latency p99 ms', (x) => x.p99Ms);
  line('latency max ms', (x) => x.maxMs);
  line('server RSS MiB', (x) => x.serverRssMiB);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

async function main() {
  const o: FloorOptions = { shows: s.shows, rate: s.rate, walls: s.walls, perShow: s.perShow, seconds: s.seconds };
  const pool = createPool(settings.workers);
  const results: Record<string, FloorResult> = {};
  const run = Date.now().toString(36);
  const info = { cpus: availableParallelism(), node: process.version, loadavgAtStart: loadavg()[0]!.toFixed(2), ...(await versions()) };
  console.log(
    `bench:floor: ${o.shows} shows × ${o.rate} events/s, ${o.walls} walls + ${o.perShow} per show, ${o.seconds} s; ${info.cpus} CPUs, Node ${info.node}, load average ${info.loadavgAtStart}`,
  );
  // One server at a time, so none of them idles beside the one measured.
  // BENCH_FLOOR_SERVERS=hub,nchan runs only those (hub: both write delays).
  const only = (process.env.BENCH_FLOOR_SERVERS ?? 'hub,nchan,centrifugo').split(',');
  const each = async (name: string, start: () => Promise<Server>, layout: (server: Server) => (prefix: string) => Promise<FloorLayout>) => {
    if (!only.includes(name.replace(/@.*/, ''))) return;
    const server = await start();
    try {
      results[name] = await measure(pool, { ...server, name }, layout(server), o);
    } finally {
      await server.stop();
    }
  };
  try {
    for (const delay of [0, s.writeDelayMs]) {
      const name = `hub@${delay}ms`;
      await each(name, () => startHub({ HUB_WRITE_DELAY_MS: String(delay) }), (hub) => async (prefix) => hubLayout(name, hub.base, prefix));
    }
    await each('nchan', () => startNchan(Math.min(openFileLimit(), 65_536)), (nchan) => async (prefix) => {
      const ch = (k: number) => `${prefix}-${run}-${k}`;
      return {
        name: 'nchan',
        // The walls multiplex the show channels (Nchan's own way to hear many channels on one stream).
        wallUrl: `${nchan.base}/msub?id=${Array.from({ length: o.shows }, (_, k) => ch(k)).join(',')}`,
        showUrl: (k) => `${nchan.base}/sub?id=${ch(k)}`,
        publish: (k) => ({ name: 'nchan', subUrl: '', pubUrl: `${nchan.base}/pub?id=${ch(k)}` }),
      };
    });
    await each('centrifugo', startCentrifugo, (server) => async (prefix) => {
      const cf = server as Awaited<ReturnType<typeof startCentrifugo>>;
      const ch = (k: number) => `${prefix}-${run}-${k}`;
      const targets = await Promise.all(Array.from({ length: o.shows }, (_, k) => cf.target(ch(k))));
      return {
        name: 'centrifugo',
        // The walls carry every show channel in their token (server-side subscriptions).
        wallUrl: await cf.multiUrl(Array.from({ length: o.shows }, (_, k) => ch(k))),
        showUrl: (k) => targets[k]!.subUrl,
        publish: (k) => targets[k]!,
      };
    });
  } finally {
    await pool.terminate();
  }
  console.log(`\n${table(results, s.writeDelayMs)}\n`);
  const delayed = results[`hub@${s.writeDelayMs}ms`];
  const nchan = results.nchan;
  if (delayed && nchan) {
    const cpuRatio = ratio(delayed.serverCpuUsPerDelivery, nchan.serverCpuUsPerDelivery);
    console.log(`target at ${s.writeDelayMs} ms: CPU per delivery ≤ 0.4× Nchan's (${cell(cpuRatio)}), p99 ≤ 60 ms (${cell(delayed.p99Ms)})`);
  }
  console.log('Nchan and Centrifugo keep messages in memory (not durable); the hub answers each POST only after its event is fsynced to SQLite.');
  for (const [name, x] of Object.entries(results)) {
    if (!x.zeroLoss) console.log(`! ${name}: not zero loss: ${x.lost} lost, ${x.outOfSequence} out of sequence, ${x.connectFailures} connect failures, ${x.publishFailures} failed publishes ${x.errors.join('; ')}`);
  }
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `floor-${new Date().toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ machine: info, settings: s, results }, null, 2)}\n`);
  console.log(`written: ${file}`);
  if (Object.values(results).some((x) => !x.zeroLoss)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error('bench:floor failed:', error);
  process.exitCode = 1;
});
