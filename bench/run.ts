import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, openFileLimit, runFanout, runIdle, runIngest, runResume, type Target } from '@showwire/stream-test/load';
import { runAgentClient } from './agent-client.js';
import { runStreamIngest } from './stream-ingest.js';
import { RESUME_NAMESPACE, startCentrifugo } from './centrifugo.js';
import { startLiveKitForBench, startLiveSession } from './live-session.js';
import { formatTable, problems, TARGETS, type BenchResult, type Name } from './report.js';
import { prepareCentrifugoResume, prepareHubResume, prepareNchanResume } from './resume.js';
import { formatRedisTable, redisProblems, runRedisBench, startRedisHub } from './redis.js';
import { startHub, startNchan, versions, type Server } from './servers.js';
import { settings } from './settings.js';
import { runWebhooks } from './webhook-bench.js';

/**
 * `npm run bench`: the hub, nginx + Nchan and Centrifugo 6 side by side (and the hub on Redis for (a0) and (a)), same client, same
 * payloads. Sizes can be changed with BENCH_* variables (see `settings`); the defaults are the issue's.
 */
const here = dirname(fileURLToPath(import.meta.url));

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
  const servers: Server[] = [];
  const pool = createPool(settings.workers);
  try {
    // BENCH_LIVE_SESSION=1: the hub runs one live session (LiveKit, a generated host, a viewer) throughout.
    const liveKit = process.env.BENCH_LIVE_SESSION === '1' ? await startLiveKitForBench() : undefined;
    if (liveKit) servers.push({ name: 'livekit', base: liveKit.httpUrl, pids: () => [], stop: () => liveKit.stop() });
    const hub = await startHub(liveKit ? { LIVEKIT_URL: liveKit.url, LIVEKIT_API_KEY: liveKit.apiKey, LIVEKIT_API_SECRET: liveKit.apiSecret } : {});
    servers.push(hub);
    const live = liveKit && (await startLiveSession(hub.base, liveKit));
    if (live) servers.unshift({ name: 'live session', base: '', pids: () => [], stop: () => live.stop() });
    const nchan = await startNchan(Math.min(nofile, 65_536));
    servers.push(nchan);
    const cf = await startCentrifugo();
    servers.push(cf);
    // The hub on Redis: (a0) and (a) only, after the three others' (bench/redis.ts).
    const redisHub = await startRedisHub();
    servers.push(redisHub);
    const info = { ...machine(), ...(await versions()), centrifugo: cf.version };
    console.log(`bench: ${info.cpus} × ${info.cpuModel}, Node ${info.node}, nginx ${info.nginx}, ${info.nchan}, Centrifugo ${info.centrifugo}, load average ${info.loadavgAtStart}`);
    const run = Date.now().toString(36);
    // Same event body to all; each scenario gets a channel of its own.
    const targets = async (channel: string): Promise<Record<Name, Target>> => ({
      hub: {
        name: 'hub',
        subUrl: `${hub.base}/api/shows/${channel}/stream`,
        pubUrl: `${hub.base}/api/shows/${channel}/events`,
        batch: { url: `${hub.base}/api/shows/${channel}/events`, wrap: { prefix: '[', suffix: ']' }, item: { prefix: '', suffix: '' } },
      },
      nchan: { name: 'nchan', subUrl: `${nchan.base}/sub?id=${channel}-${run}`, pubUrl: `${nchan.base}/pub?id=${channel}-${run}` },
      centrifugo: await cf.target(channel),
    });
    const pids: Record<Name, () => number[]> = { hub: hub.pids, nchan: nchan.pids, centrifugo: cf.pids };
    const each = async <T>(what: string, f: (name: Name) => Promise<T>, only: readonly Name[] = TARGETS) => {
      const out = {} as Record<Name, T>;
      for (const name of only) {
        process.stdout.write(`  ${what}: ${name}…\n`);
        out[name] = await f(name);
      }
      return out;
    };
    const fanoutAt = (channel: string, subscribers: number, rate: number, seconds: number) => (n: Name) =>
      targets(channel).then((t) => runFanout(pool, t[n], { subscribers, rate, seconds }, pids[n]));

    // Unmeasured: the hub's JIT compiles its hot paths; every server sets up its channel code.
    await each('warm-up', fanoutAt('bench-warmup', 100, settings.rate, 2));
    // What one published event costs with a single subscriber: subtracted from (a) to show the fan-out's own cost.
    const publishCost = await each('(a0) publish cost', fanoutAt('bench-publish', 1, settings.rate, 5));
    const fanout = await each('(a) fan-out', fanoutAt('bench-fanout', settings.subscribers, settings.rate, settings.seconds));
    const redis = await runRedisBench(pool, redisHub, settings);
    const fanoutHigh = await each('(a2) fan-out, high rate', fanoutAt('bench-fanout-high', settings.subscribers, settings.rateHigh, settings.seconds));
    const idle = await each('(b) idle connections', async (n) => runIdle(pool, (await targets('bench-idle'))[n], { subscribers: settings.idleSubscribers }, pids[n]));
    const ingestOpts = { concurrency: settings.ingestConcurrency, seconds: settings.ingestSeconds };
    const ingest = await each('(c) ingest, single events', async (n) => runIngest(pool, (await targets('bench-ingest'))[n], ingestOpts, pids[n]));
    const batchIngest = await each(
      '(c2) ingest, batches',
      async (n) => runIngest(pool, (await targets('bench-batch'))[n], { ...ingestOpts, batch: settings.batch }, pids[n]),
      ['hub', 'centrifugo'],
    );
    process.stdout.write("  (c3) the agent's hub client: hub…\n");
    const agentClient = await runAgentClient(hub.base, 'bench-agent', settings.agentEvents, hub.pids);
    process.stdout.write('  (c4) NDJSON publish stream: hub…\n');
    const streamIngest = await runStreamIngest(hub.base, 'bench-stream', settings.streamEvents, hub.pids);
    const resumeCh = `${RESUME_NAMESPACE}:bench-resume`;
    const resume = await each('(e) resume', async (n) => {
      const t = await targets('bench-resume');
      const request =
        n === 'hub'
          ? await prepareHubResume(t.hub, settings.resumeEvents)
          : n === 'nchan'
            ? await prepareNchanResume(t.nchan, settings.resumeEvents)
            : await prepareCentrifugoResume(cf, resumeCh, settings.resumeEvents);
      return runResume(pool, request, settings.resumeEvents, pids[n]);
    });
    process.stdout.write('  (f) webhooks: hub…\n');
    const webhooks = await runWebhooks(settings.webhookEvents);

    const result: BenchResult = { machine: info, settings, publishCost, fanout, fanoutHigh, idle, ingest, batchIngest, agentClient, streamIngest, resume, webhooks, redis };
    console.log(`\n${formatTable(result)}\n`);
    console.log(`${formatRedisTable(redis, { publishCost: publishCost.hub, fanout: fanout.hub }, { publishCost: publishCost.nchan, fanout: fanout.nchan }, settings)}\n`);
    console.log('Nchan and Centrifugo keep messages in memory (not durable); the hub answers each POST only after its event is fsynced to SQLite.');
    console.log('Server CPU and RSS are read from /proc of the server processes (hub: node; nchan: nginx master + worker; centrifugo: its process, all threads).');
    for (const p of [...problems(result), ...redisProblems(redis)]) console.log(`! ${p}`);
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
