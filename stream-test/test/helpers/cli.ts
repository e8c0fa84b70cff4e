import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..', '..');
const CLI = join(REPO_ROOT, 'stream-test', 'src', 'cli.ts');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process ends; kills it after `timeoutMs`. */
  exited: Promise<number>;
  /** Resolves once stderr or stdout holds `text`. */
  waitFor: (text: string, ms?: number) => Promise<void>;
}

/** CLI processes still running: a test that fails before its child ends must not leave it behind. */
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** The CLI as its own process, from source (as `npx stream-test` runs the built one), with HUB_URL/HUB_TOKEN cleared. */
export function startCli(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliRun {
  const { HUB_URL: _u, HUB_TOKEN: _t, ...env } = process.env;
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...env, NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of [...waiters]) w();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    for (const w of [...waiters]) w();
  });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      resolve(code ?? (signal === 'SIGKILL' ? -9 : -1));
    }),
  );
  const waitFor = (text: string, ms = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes(text) || err.includes(text)) {
          waiters.delete(check);
          clearTimeout(t);
          resolve();
        }
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for "${text}"; stdout: ${out}\nstderr: ${err}`));
      }, ms);
      waiters.add(check);
      void exited.then((code) =>
        setTimeout(() => {
          check();
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(t);
          reject(new Error(`exited (${code}) without printing "${text}"; stdout: ${out}\nstderr: ${err}`));
        }, 50),
      );
      check();
    });
  return { child, stdout: () => out, stderr: () => err, exited, waitFor };
}

/** Runs the CLI to its end. */
export async function runCli(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  const run = startCli(args, opts);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
