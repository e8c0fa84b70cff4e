import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { CliError, ExitCode } from '../exit-codes.js';
import { postEvents } from '../hub-client.js';
import { addHubOptions, positiveNumber, seconds, showIdArg, typeList, type HubOptions } from '../options.js';
import { readShowHistory } from '../replay/history.js';
import { scheduleReplay } from '../replay/schedule.js';
import { finish, onStop } from '../run.js';

interface ReplayOptions extends HubOptions {
  from: string;
  to: string;
  speed: number;
  maxGap: number;
  skipTypes: string[];
  toToken?: string;
  json?: boolean;
  quiet?: boolean;
}

export const replayCommand = addHubOptions(
  new Command('replay')
    .description('re-publish a recorded show into another show id, paced as it happened (rehearsals, testing webhook receivers)')
    .requiredOption('--from <show>', 'the recorded show to read', showIdArg)
    .requiredOption('--to <show>', 'the show to publish into', showIdArg)
    .addOption(new Option('--speed <n>', 'playback speed: 1 as recorded, 4 or 16 faster').default(1).argParser(positiveNumber))
    .addOption(new Option('--max-gap <s>', 'never wait longer than this between two events (recorded seconds; 0 keeps every gap)').default(0).argParser(seconds))
    .addOption(new Option('--skip-types <types>', 'more types not to re-publish (comma-separated); what only the hub writes is always left out').default([], 'none').argParser(typeList))
    .addOption(new Option('--to-token <jwt>', 'token to publish with, when --token may only read (agent, service or admin)').env('HUB_PUBLISH_TOKEN'))
    .option('--json', 'print the outcome as JSON')
    .option('-q, --quiet', 'no progress lines on stderr'),
).addHelpText(
  'after',
  `
Examples:
  stream-test replay --from show-123 --to rehearsal-1 --speed 4
  HUB_TOKEN=<staff> HUB_PUBLISH_TOKEN=<agent> stream-test replay --from show-123 --to qa-7 --speed 16 --max-gap 5

Reads every retained event of --from (needs a token that may read it), then publishes each one
into --to without its hub stamps (id, receivedAt, source, timestamp), keeping the recorded gaps
divided by --speed. What only the hub writes (alerts, controls, show_summary, recordings) is left out:
the hub refuses it to any token, and derives its own for the copy (the summary when the replay ends the show).
Exit codes: 0 done, 2 usage, 3 hub unreachable, 4 token refused, 5 event refused.`,
).action(async (opts: ReplayOptions) => {
  if (opts.from === opts.to) throw new CliError(ExitCode.usage, '--from and --to must be different shows');
  const status = (line: string) => opts.quiet || process.stderr.write(`${line}\n`);
  const { events, truncated } = await readShowHistory(opts, opts.from);
  if (events.length === 0) throw new CliError(ExitCode.rejected, `show "${opts.from}" has no retained events to replay`);
  if (truncated) status(`replay: part of ${opts.from} was pruned by retention; replaying what is left`);
  const batches = scheduleReplay(events, { to: opts.to, speed: opts.speed, maxGapSeconds: opts.maxGap, skipTypes: new Set(opts.skipTypes), runId: randomUUID().slice(0, 8) });
  const total = batches.reduce((n, b) => n + b.events.length, 0);
  status(`replay: ${total} events of ${opts.from} → ${opts.to} at ${opts.speed}×, about ${((batches.at(-1)?.atMs ?? 0) / 1000).toFixed(1)} s`);

  let stopped = false;
  onStop(() => (stopped = true));
  const publisher = { hub: opts.hub, token: opts.toToken ?? opts.token };
  const started = performance.now();
  let sent = 0;
  const ids: string[] = [];
  for (const batch of batches) {
    const wait = batch.atMs - (performance.now() - started);
    if (wait > 0) await sleep(wait);
    if (stopped) break;
    const answer = await postEvents(publisher, opts.to, batch.events);
    ids.push(...answer.ids);
    sent += batch.events.length;
  }
  const seconds = (performance.now() - started) / 1000;
  if (opts.json) process.stdout.write(`${JSON.stringify({ from: opts.from, to: opts.to, sent, of: total, firstId: ids[0] ?? null, lastId: ids.at(-1) ?? null, seconds })}\n`);
  else process.stdout.write(`replayed ${sent} of ${total} events from ${opts.from} to ${opts.to} in ${seconds.toFixed(1)} s${stopped ? ' (stopped)' : ''}\n`);
  finish(ExitCode.ok);
});
