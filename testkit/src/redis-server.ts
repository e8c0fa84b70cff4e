import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './livekit-server.js';

export interface RedisServer {
  url: string;
  port: number;
  pid: () => number | undefined;
  output: () => string;
  /** Stops the server (SIGTERM, SIGKILL after 5 s); its data dir stays for `start()`. */
  stop(): Promise<void>;
  /** SIGKILL: what a crash leaves behind (only the AOF). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir (after `stop` or `kill`). */
  start(): Promise<void>;
  /** Stops it and removes its data dir. */
  destroy(): Promise<void>;
}

/** Resolves once the port answers PING with PONG; fails at once when the server has exited. */
async function pingable(port: number, deadline: number, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error(`redis-server on ${port} exited before answering PING`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('error', () => resolve(false));
      s.once('connect', () => s.write('PING\r\n'));
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real `redis-server` on a free loopback port, in a temp dir, persisting the way the hub asks
 * for (docs/redis.md: no RDB snapshots, AOF with `appendfsync always`, so an acknowledged write survives
 * a crash of Redis itself). Stopped by its pid, never by name.
 */
export async function startRedis(): Promise<RedisServer> {
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'showwire-redis-'));
  let child: ChildProcess | undefined;
  let out = '';
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const c = child;
    await pingable(port, Date.now() + 10_000, () => c.exitCode !== null || c.signalCode !== null);
  };
  const end = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  // A free port is free when asked, not necessarily when redis binds it (tests run side by side):
  // such a start is tried again on a new port. Restarts (`start()`) keep the port they had.
  for (let attempt = 1; ; attempt++) {
    port = await freeTcpPort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/i.test(out)) throw new Error(`${(error as Error).message}:\n${out}`);
      out = '';
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: () => child?.pid,
    output: () => out,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    start,
    destroy: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
