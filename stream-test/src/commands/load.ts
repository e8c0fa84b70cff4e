import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, ExitCode } from '../exit-codes.js';
import { createPool, runFanout, runIdle, runIngest, withChildren, type Target } from '../load/index.js';
import { addHubOptions, positiveInt, positiveNumber, showIdArg, type HubOptions } from '../options.js';
import { finish } from '../run.js';

interface LoadOptions extends HubOptions {
  mode: 'fanout' | 'idle' | 'ingest';
  show: string;
  subscribers: number;
  rate: number;
  duration: number;
  concurrency: number;
  workers: number;
  subUrl?: string;
  pubUrl?: string;
  serverPid?: number;
  json?: boolean;
}

const atMost = (max: number) => (value: string) => {
  const n = positiveInt(value);
  if (n > max) throw new InvalidArgumentError(`must be at most ${max}`);
  return n;
};

export const loadCommand = addHubOptions(
  new Command('load')
    .description('load-test a hub (or any SSE server): fan-out latency and loss, idle connection memory, ingest rate')
    .addOption(new Option('--mode <mode>', 'what to measure').choices(['fanout', 'idle', 'ingest']).default('fanout'))
    .addOption(new Option('--show <id>', 'the show to publish to and subscribe to').default('load-test').argParser(showIdArg))
    .addOption(new Option('--subscribers <n>', 'SSE subscribers (fanout, idle)').default(1000).argParser(atMost(50_000)))
    .addOption(new Option('--rate <n>', 'events per second, one POST each (fanout)').default(100).argParser(positiveNumber))
    .addOption(new Option('--duration <s>', 'seconds of publishing (fanout, ingest)').default(10).argParser(atMost(3600)))
    .addOption(new Option('--concurrency <n>', 'POSTs in flight (ingest)').default(64).argParser(atMost(10_000)))
    .addOption(new Option('--workers <n>', 'client threads that hold the subscribers').default(2).argParser(atMost(64)))
    .option('--sub-url <url>', 'SSE URL to subscribe to instead of the hub show stream (e.g. an Nchan location)')
    .option('--pub-url <url>', 'URL to POST events to instead of the hub show events route')
    .addOption(new Option('--server-pid <pid>', 'the server process on this machine: report its CPU and memory from /proc').argParser(positiveInt))
    .option('--json', 'print the result as one JSON object'),
)
  .addHelpText(
    'after',
    `
Each event is {"type":"bench.tick","seq":N,"sentUs":T,"text":…}, one per POST over one connection,
so "seq" order is the server's order. Subscribers are bare HTTP/1.1 sockets (http:// only) that
read only "data:" lines: every subscriber must get every event once, in order (zero loss), and
publish→deliver latency comes from "sentUs" (a monotonic clock, so client and server machine
must be the same for latency). The --token goes out as "Authorization: Bearer" on every request.

Examples:
  stream-test load --show bench --subscribers 1000 --rate 100 --duration 10
  stream-test load --mode idle --subscribers 10000 --server-pid $(pgrep -f hub/dist/main.js)
  stream-test load --mode ingest --concurrency 64 --duration 5
  stream-test load --sub-url 'http://127.0.0.1:8081/sub?id=x' --pub-url 'http://127.0.0.1:8081/pub?id=x'

Exit codes: 0 ran with zero loss, 2 usage, 3 nothing could connect or publish, 7 events were lost.`,
  )
  .action(async (opts: LoadOptions) => {
    const target: Target = {
      name: opts.subUrl ?? opts.hub,
      subUrl: opts.subUrl ?? `${opts.hub}/api/shows/${opts.show}/stream`,
      pubUrl: opts.pubUrl ?? `${opts.hub}/api/shows/${opts.show}/events`,
      headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
    };
    for (const url of [target.subUrl, target.pubUrl]) {
      if (!url.startsWith('http://')) throw new CliError(ExitCode.usage, `${url}: the load client speaks plain http:// only`);
    }
    if (opts.mode === 'idle' && opts.serverPid === undefined) throw new CliError(ExitCode.usage, '--mode idle measures server memory: give --server-pid');
    const server = opts.serverPid === undefined ? undefined : () => withChildren(opts.serverPid!);
    const pool = createPool(opts.workers);
    try {
      const result =
        opts.mode === 'fanout'
          ? await runFanout(pool, target, { subscribers: opts.subscribers, rate: opts.rate, seconds: opts.duration }, server)
          : opts.mode === 'idle'
            ? await runIdle(pool, target, { subscribers: opts.subscribers }, server!)
            : await runIngest(pool, target, { concurrency: opts.concurrency, seconds: opts.duration }, server);
      const nothing =
        ('subscribers' in result && result.subscribers === 0) || ('accepted' in result && result.accepted === 0) || ('published' in result && result.published === 0);
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : describe(result));
      if (nothing) throw new CliError(ExitCode.unreachable, `nothing could ${opts.mode === 'ingest' ? 'publish' : 'connect'}: ${JSON.stringify(result).slice(0, 300)}`);
      // A load run is often a gate in a script: losing an event is a failure it must see.
      if ('zeroLoss' in result && result.zeroLoss === false) throw new CliError(ExitCode.loss, 'events were lost, duplicated or out of order (see the figures above)');
    } finally {
      await pool.terminate();
    }
    finish(ExitCode.ok);
  });

/** `key: value` lines, skipping what was not measured. */
function describe(result: object): string {
  return `${Object.entries(result)
    .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'number' && Number.isNaN(v)))
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('\n')}\n`;
}
