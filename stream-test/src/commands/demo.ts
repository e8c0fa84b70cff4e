import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command, Option } from 'commander';
import { CliError, ExitCode } from '../exit-codes.js';
import { positiveInt, positiveNumber } from '../options.js';
import { finish, onStop, progressEvery } from '../run.js';
import { progressLine, simulate } from '../simulate/runner.js';

interface DemoOptions {
  shows: number;
  rate: number;
}

/** Node arguments that run one of the hub's programs beside this workspace: built JS normally, the TypeScript source under tsx. */
function hubProgram(path: string): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(`../../../hub/${fromSource ? 'src' : 'dist'}/${path}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  return fromSource ? ['--conditions=development', '--import', 'tsx', file] : [file];
}

/**
 * A token signed by the hub's own token CLI (same environment, so same key): the hub stays the
 * one place that knows how tokens are made.
 */
async function hubToken(role: 'agent' | 'admin', sub: string, shows: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [...hubProgram('auth/token-cli'), '--role', role, '--sub', sub, '--shows', shows.join(',')], { env: process.env });
  return stdout.trim();
}

export const demoCommand = new Command('demo')
  .description('start the hub with its embedded defaults plus the show simulator, and print where to look')
  .addOption(new Option('--shows <n>', 'how many simulated shows').default(3).argParser(positiveInt))
  .addOption(new Option('--rate <n>', 'events per second per show').default(2).argParser(positiveNumber))
  .addHelpText(
    'after',
    `
The hub reads its usual environment (PORT, HOST, HUB_DATA_DIR, HUB_AUTH, …). With auth on, the
simulator gets its agent token from the hub's token CLI (the hub's own key: HUB_SECRET or HUB_DATA_DIR/hub-secret).
Ctrl-C ends the shows, then stops the hub. Exit codes: 0 stopped, 3 the hub did not start.`,
  )
  .action(async (opts: DemoOptions) => {
    // Its own process group: Ctrl-C reaches only us, so the shows end before the hub drains.
    const hub = spawn(process.execPath, hubProgram('main'), { stdio: ['ignore', 'pipe', 'inherit'], env: process.env, detached: true });
    process.on('exit', () => hub.kill('SIGTERM'));
    const hubExited = new Promise<number>((resolve) => hub.on('exit', (code) => resolve(code ?? 1)));
    // The hub's stdout is its JSON log plus the dashboard line; pass on warnings and worse.
    const dashboard = await new Promise<string>((resolve, reject) => {
      createInterface({ input: hub.stdout }).on('line', (line) => {
        // With auth on, the sign-in link is in a file only this user may read (the hub never prints it to a pipe).
        const m = /^Showwire dashboard: (\S+)(?: \(sign-in link with a staff token in (\S+),)?/.exec(line);
        if (m) return resolve(m[2] ? readFileSync(m[2], 'utf8').trim() : m[1]!);
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string };
          if ((entry.level ?? 0) >= 40) process.stderr.write(`hub: ${entry.msg ?? line}\n`);
        } catch {
          if (line.trim()) process.stderr.write(`hub: ${line}\n`);
        }
      });
      void hubExited.then((code) => reject(new CliError(ExitCode.unreachable, `the hub exited (${code}) before it listened`)));
    });
    const url = new URL(dashboard);
    const base = url.origin;
    const shows = Array.from({ length: opts.shows }, (_, i) => `sim-${i + 1}`);
    const authOn = url.searchParams.has('token');
    const agentToken = authOn ? await hubToken('agent', 'demo-simulator', shows) : undefined;
    const pageToken = authOn ? await hubToken('admin', 'demo-stream-test', ['*']) : undefined;
    const sim = simulate({ hub: base, token: agentToken, shows, rate: opts.rate, duration: 0, seed: Date.now() % 100_000 });
    process.stdout.write(
      [
        '',
        `  Showwire demo: ${shows.length} simulated shows, ${opts.rate} events/s each`,
        `  Dashboard:        ${dashboard}`,
        `  Stream test page: ${base}/stream-test${pageToken ? `?token=${pageToken}` : ''}`,
        `  Listen here:      npx stream-test listen --hub ${base}${authOn ? ' --token <staff or admin token>' : ''}`,
        '  Ctrl-C ends the shows and stops the hub.',
        '',
        '',
      ].join('\n'),
    );
    onStop(() => sim.stop());
    const stopProgress = progressEvery(10_000, () => process.stderr.write(`demo: ${progressLine(sim.stats)}\n`));
    const ended = await sim.done.finally(stopProgress).then(
      () => ExitCode.ok,
      (error: unknown) => {
        process.stderr.write(`demo: simulator stopped: ${(error as Error).message}\n`);
        return error instanceof CliError ? error.exitCode : ExitCode.internal;
      },
    );
    hub.kill('SIGTERM');
    await hubExited;
    finish(ended);
  });
