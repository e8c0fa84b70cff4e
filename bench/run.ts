import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, openFileLimit, runFanout, runIdle, runIngest, type Target } from '@showwire/stream-test/load';
import { formatTable, problems, type BenchResult } from './report.js';
import { startHub, startNchan, versions, type Server } from './servers.js';
import { startLiveKitForBench, startLiveSession } from './live-session.js';

/**
 * `npm run bench`: the hub and nginx + Nchan side by side, same client, same payloads.
 * Sizes can be changed with BENCH_* variables (see `settings`); the defaults are the issue's.
 */
const here = dirname(fileURLToPath(import.meta.url));
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const settings = {
  subscribers: num('BENCH_SUBSCRIBERS', 1000),
  rate: num('BENCH_RATE', 100),
  seconds: num('BENCH_SECONDS', 10),
  idleSubscribers: num('BENCH_IDLE_SUBSCRIBERS', 10_000),
  ingestConcurrency: num('BENCH_INGEST_CONCURRENCY', 64),
  ingestSeconds: num('BENCH_INGEST_SECONDS', 5),
  workers: num('BENCH_WORKERS', Math.max(2, availableParallelism())),
};

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return { cpus: availableParallelism(), cpuModel: cpu.trim(), node: process.version, loadavgAtStart: loadavg()[0]!.toFixed(2) };
}

async function main() {
  // Server and client each hold every idle connection plus a margin.
  const nofile = openFileLimit();
  if (nofile < settings.idleSubscribers + 500) {
    throw new Error(`open-file limit is ${nofile}; ${settings.idleSubscribers} idle subscribers need more: run through \`npm run bench\`, which raises it, or lower BENCH_IDLE_SUBSCRIBERS`);
  }
  const info = { ...machine(), ...(await versions()) };
  console.log(`bench: ${info.cpus} × ${info.cpuModel}, Node ${info.node}, nginx ${info.nginx}, ${info.nchan}, load average ${info.loadavgAtStart}`);
  const servers: Server[] = [];
  const pool = createPool(settings.workers);
  try {
    // BENCH_LIVE_SESSION=1: the hub runs one live session (LiveKit, a generated host, a viewer) throughout.
    const liveKit = process.env.BENCH_LIVE_SESSION === '1' ? await startLiveKitForBench() : undefined;
    if (liveKit) servers.push({ name: 'livekit', base: liveKit.httpUrl, pids: () => [], stop: liveKit.stop });
    const hub = await startHub(liveKit ? { LIVEKIT_URL: liveKit.url, LIVEKIT_API_KEY: liveKit.apiKey, LIVEKIT_API_SECRET: liveKit.apiSecret } : {});
    servers.push(hub);
    const live = liveKit && (await startLiveSession(hub.base, liveKit));
    if (live) servers.unshift({ name: 'live session', base: '', pids: () => [], stop: live.stop });
    const nchan = await startNchan(Math.min(nofile, 65_536));
    servers.push(nchan);
    const run = Date.now().toString(36);
    // Same body to both; each scenario gets a channel of its own.
    const targets = (channel: string): Record<'hub' | 'nchan', Target> => ({
      hub: { name: 'hub', subUrl: `${hub.base}/api/shows/${channel}/stream`, pubUrl: `${hub.base}/api/shows/${channel}/events` },
      nchan: { name: 'nchan', subUrl: `${nchan.base}/sub?id=${channel}-${run}`, pubUrl: `${nchan.base}/pub?id=${channel}-${run}` },
    });
    const pids = { hub: hub.pids, nchan: nchan.pids };
    const each = async <T>(what: string, f: (name: 'hub' | 'nchan') => Promise<T>) => {
      const out = {} as Record<'hub' | 'nchan', T>;
      for (const name of ['hub', 'nchan'] as const) {
        process.stdout.write(`  ${what}: ${name}…\n`);
        out[name] = await f(name);
      }
      return out;
    };

    // Unmeasured: the hub's JIT compiles its hot paths; both servers set up their channel code.
    await each('warm-up', (n) => runFanout(pool, targets('bench-warmup')[n], { subscribers: 100, rate: settings.rate, seconds: 2 }));
    // What one published event costs with a single subscriber: subtracted from (a) to show the fan-out's own cost.
    const publishCost = await each('(a0) publish cost', (n) =>
      runFanout(pool, targets('bench-publish')[n], { subscribers: 1, rate: settings.rate, seconds: 5 }, pids[n]),
    );
    const fanout = await each('(a) fan-out', (n) =>
      runFanout(pool, targets('bench-fanout')[n], { subscribers: settings.subscribers, rate: settings.rate, seconds: settings.seconds }, pids[n]),
    );
    const idle = await each('(b) idle connections', (n) => runIdle(pool, targets('bench-idle')[n], { subscribers: settings.idleSubscribers }, pids[n]));
    const ingest = await each('(c) ingest', (n) =>
      runIngest(pool, targets('bench-ingest')[n], { concurrency: settings.ingestConcurrency, seconds: settings.ingestSeconds }, pids[n]),
    );

    const result: BenchResult = { machine: info, settings, publishCost, fanout, idle, ingest };
    console.log(`\n${formatTable(result)}\n`);
    console.log('Nchan keeps messages in shared memory (not durable); the hub answers each POST only after its event is fsynced to SQLite.');
    console.log('Server CPU and RSS are read from /proc of the server processes (hub: node; nchan: nginx master + worker).');
    for (const p of problems(result)) console.log(`! ${p}`);
    if (live) console.log(`live session ran throughout: ${live.counts.frames} JPEG frames and ${live.counts.audioMessages} audio messages reached its viewer`);
    const dir = join(here, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `bench-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwritten: ${file}`);
  } finally {
    await pool.terminate();
    for (const s of servers) await s.stop();
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exitCode = 1;
});
