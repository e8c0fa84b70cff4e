import { Command, Option } from 'commander';
import { CliError, ExitCode } from '../exit-codes.js';
import { prettyLine } from '../format.js';
import { openStream } from '../hub-client.js';
import { addHubOptions, positiveInt, seconds, showList, typeList, type HubOptions } from '../options.js';
import { deferred, finish, onStop, progressEvery } from '../run.js';

interface ListenOptions extends HubOptions {
  show?: string[];
  types?: string[];
  json?: boolean;
  lastEventId?: string;
  count?: number;
  timeout: number;
  heartbeats?: boolean;
  quiet?: boolean;
}

export const listenCommand = addHubOptions(
  new Command('listen')
    .description('print a hub stream live: pretty lines, or JSON lines for scripts; resumes after drops')
    .option('--show <ids>', 'only these shows (comma-separated or repeated; default: every show the token may read)', showList)
    .option('--types <types>', 'only these event types (comma-separated)', typeList)
    .option('--json', 'one JSON object per line on stdout (events and hub notices), nothing else')
    .option('--last-event-id <id>', 'resume after this event id ("0" replays all retained history first)')
    .option('--count <n>', 'exit 0 after this many events', positiveInt)
    .addOption(new Option('--timeout <s>', 'give up after this many seconds: exit 6 if --count was not reached, else 0').default(0, 'none').argParser(seconds))
    .option('--heartbeats', 'print heartbeats too')
    .option('-q, --quiet', 'no status lines on stderr'),
).addHelpText(
  'after',
  `
Examples:
  stream-test listen --show show-1
  stream-test listen --show show-1 --types transcript,tool_call --json | jq .text
  stream-test listen --json --last-event-id 0 --count 100 --timeout 30

Status (connected, reconnecting, counts every 10 s) goes to stderr; events to stdout.
Exit codes: 0 done (count reached, timeout without --count, Ctrl-C), 2 usage, 3 hub unreachable,
4 token refused, 5 bad filter or resume id, 6 --timeout before --count.`,
).action(async (opts: ListenOptions) => {
  const status = (line: string) => opts.quiet || process.stderr.write(`${line}\n`);
  let received = 0;
  let lastId = opts.lastEventId;
  let reconnects = 0;
  const done = deferred<number>();
  const stream = openStream(
    opts,
    { shows: opts.show, types: opts.types, lastEventId: opts.lastEventId },
    {
      onOpen: (n) => {
        if (n > 1) reconnects++;
        status(`listen: connected to ${opts.hub}${n > 1 ? ` (reconnect ${n - 1}, resuming after ${lastId ?? 'now'})` : ''}`);
      },
      onReconnecting: () => status('listen: stream dropped, reconnecting…'),
      onMessage: (m) => {
        if (m.data.type === 'heartbeat' && !opts.heartbeats) return;
        if (opts.count !== undefined && received >= opts.count) return; // done; the stream closes next
        process.stdout.write(`${opts.json ? JSON.stringify(m.data) : prettyLine(m)}\n`);
        if (!m.id) return;
        received++;
        lastId = m.id;
        if (opts.count !== undefined && received >= opts.count) done.resolve(ExitCode.ok);
      },
      onFatal: done.reject,
    },
  );
  onStop(() => done.resolve(ExitCode.ok));
  if (opts.timeout > 0) {
    setTimeout(() => {
      if (opts.count === undefined) return done.resolve(ExitCode.ok);
      done.reject(new CliError(ExitCode.timeout, `listen: ${received} of ${opts.count} events within ${opts.timeout} s`));
    }, opts.timeout * 1000).unref();
  }
  const stopProgress = progressEvery(10_000, () => status(`listen: ${received} events, last id ${lastId ?? '-'}, ${reconnects} reconnects`));
  const code = await done.promise.finally(() => {
    stopProgress();
    stream.close();
  });
  status(`listen: ${received} events, last id ${lastId ?? '-'}, ${reconnects} reconnects`);
  finish(code);
});
