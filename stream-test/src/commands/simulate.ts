import { Command, Option } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { addHubOptions, positiveInt, positiveNumber, seconds, showList, type HubOptions } from '../options.js';
import { finish, onStop, progressEvery } from '../run.js';
import { progressLine, simulate } from '../simulate/runner.js';

interface SimulateOptions extends HubOptions {
  shows: number;
  show?: string[];
  prefix: string;
  rate: number;
  duration: number;
  seed: number;
  quiet?: boolean;
}

export const simulateCommand = addHubOptions(
  new Command('simulate')
    .description('play live shows into the hub: hosts talking, the agent answering, products created and put on the carousel, viewers coming and going')
    .addOption(new Option('--shows <n>', 'how many shows').default(3).argParser(positiveInt))
    .option('--show <ids>', 'exact show ids instead of <prefix>-1..n (comma-separated)', showList)
    .option('--prefix <prefix>', 'show id prefix', 'sim')
    .addOption(new Option('--rate <n>', 'events per second per show').default(2).argParser(positiveNumber))
    .addOption(new Option('--duration <s>', 'stop after this many seconds, ending each show').default(0, 'until Ctrl-C').argParser(seconds))
    .addOption(new Option('--seed <n>', 'random seed: the same seed plays the same shows').default(1).argParser(Number))
    .option('-q, --quiet', 'no progress lines on stderr'),
).addHelpText(
  'after',
  `
Every event is checked with the protocol's parseEventInput before it is sent, and carries a
per-show "seq" so a listener can spot gaps. The first round of each show plays every known type.
The token must be an agent token for these shows, or an admin token.

Examples:
  stream-test simulate                          # sim-1..3, 2 events/s each, until Ctrl-C
  stream-test simulate --shows 10 --rate 20 --duration 60

Exit codes: 0 done (duration over or Ctrl-C; every show got its show_ended), 2 usage,
3 hub unreachable, 4 token refused, 5 the hub refused an event.`,
).action(async (opts: SimulateOptions) => {
  const shows = opts.show ?? Array.from({ length: opts.shows }, (_, i) => `${opts.prefix}-${i + 1}`);
  const status = (line: string) => opts.quiet || process.stderr.write(`${line}\n`);
  const sim = simulate({ ...opts, shows });
  status(`simulate: ${shows.length} shows (${shows.join(', ')}) at ${opts.rate} events/s each on ${opts.hub}${opts.duration ? ` for ${opts.duration} s` : '; Ctrl-C ends the shows'}`);
  onStop(() => sim.stop());
  const progress = () => status(`simulate: ${progressLine(sim.stats)}`);
  const stopProgress = progressEvery(5000, progress);
  const stats = await sim.done.finally(stopProgress);
  progress();
  status(`simulate: done, ${stats.byType.size} event types, every show ended`);
  finish(ExitCode.ok);
});
