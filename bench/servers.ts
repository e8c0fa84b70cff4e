import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withChildren } from '@showwire/stream-test/load';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
export const NCHAN_MODULE = '/usr/lib/nginx/modules/ngx_nchan_module.so';

export interface Server {
  name: string;
  base: string;
  pids: () => number[];
  stop: () => Promise<void>;
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

function exited(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Sends `signal`, then SIGKILL if the process is still there after 10 s. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals) {
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(timer);
}

/** Resolves once `port` accepts connections; throws if `child` exits first or 15 s pass. */
export async function waitForPort(port: number, child: ChildProcess, describe: () => string) {
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}): ${describe()}`);
    if (Date.now() > deadline) throw new Error(`did not listen within 15 s: ${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The built hub (`hub/dist/main.js`) with auth off, a temporary data dir and room for any backlog. */
export async function startHub(extraEnv: Record<string, string> = {}): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'showwire-bench-hub-'));
  // BENCH_HUB_NODE_ARGS: extra node flags for the hub, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.BENCH_HUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'hub', 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      HUB_AUTH: 'off',
      HUB_DATA_DIR: dataDir,
      HUB_LOG_LEVEL: 'warn',
      HUB_SSE_BUFFER_BYTES: String(256 * 1024 * 1024),
      HUB_SSE_BUFFER_EVENTS: '1000000',
      HUB_HEARTBEAT_MS: '15000',
      // Nchan has no rate limit; neither does the hub here.
      HUB_RATE_LIMIT_INGEST: '0',
      HUB_RATE_LIMIT_INGEST_IP: '0',
      ...extraEnv,
      // 10,000 idle subscribers plus the publishers and the other runs' connections.
      HUB_MAX_CONNECTIONS: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Showwire dashboard: (http:\/\/[^/\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hub exited (${code}) before listening:\n${out}`)));
    setTimeout(() => reject(new Error(`hub did not listen within 30 s:\n${out}`)), 30_000).unref();
  });
  return {
    name: 'hub',
    base,
    pids: () => [child.pid!],
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** nginx with Debian's Nchan module, in the foreground, with its own prefix and config. */
export async function startNchan(nofile: number): Promise<Server> {
  const prefix = mkdtempSync(join(tmpdir(), 'showwire-bench-nchan-'));
  mkdirSync(join(prefix, 'logs'));
  const port = await freePort();
  const conf = readFileSync(join(here, 'nginx.conf.template'), 'utf8')
    .replaceAll('{{PREFIX}}', prefix)
    .replaceAll('{{NCHAN_MODULE}}', NCHAN_MODULE)
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{NOFILE}}', String(nofile))
    .replaceAll('{{CONNECTIONS}}', String(Math.max(1024, nofile - 100)));
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await waitForPort(port, child, () => `nginx:\n${out}`);
  return {
    name: 'nchan',
    base: `http://127.0.0.1:${port}`,
    pids: () => withChildren(child.pid!),
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** Output of a short command (stdout and stderr), '' when it cannot run. */
export function output(cmd: string, args: string[]) {
  return new Promise<string>((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let s = '';
    c.stdout.on('data', (d: Buffer) => (s += d.toString()));
    c.stderr.on('data', (d: Buffer) => (s += d.toString()));
    c.on('error', () => resolve(''));
    c.on('exit', () => resolve(s.trim()));
  });
}

/** nginx's and the Nchan package's versions. */
export async function versions() {
  const nginx = (await output('nginx', ['-v'])).replace(/^nginx version:\s*/, '');
  const nchan = await output('dpkg-query', ['-W', '-f=${Version}', 'libnginx-mod-nchan']);
  return { nginx, nchan: nchan ? `libnginx-mod-nchan ${nchan}` : 'unknown' };
}
