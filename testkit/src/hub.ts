import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { buildApp, loadConfig, mintToken } from '@showwire/hub';
import type { Role } from '@showwire/protocol';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '..', '..');
export const HUB_MAIN = join(REPO_ROOT, 'hub', 'src', 'main.ts');

export const tempDir = (prefix = 'showwire-') => mkdtempSync(join(tmpdir(), prefix));

export interface TestHub {
  url: string;
  /** The Fastify app, for looking inside (fan-out stats, metrics). */
  app: Awaited<ReturnType<typeof buildApp>>['app'];
  dataDir: string;
  /** Every log line the hub wrote, as text. */
  logs: () => string;
  token: (role: Role, shows?: string[], ttlSeconds?: number, sub?: string) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * A real hub, in this process, on a loopback port (ephemeral unless `env.PORT` names one, for a
 * peer that must know the hub's URL before it starts, like LiveKit's webhook config), with a
 * fresh SQLite file.
 */
export async function startHub(env: Record<string, string> = {}): Promise<TestHub> {
  const dataDir = env.HUB_DATA_DIR ?? tempDir();
  const config = loadConfig({ HUB_LOG_LEVEL: 'info', PORT: '0', ...env, HUB_DATA_DIR: dataDir, HOST: '127.0.0.1' });
  const stream = new PassThrough();
  let logText = '';
  stream.on('data', (c: Buffer) => (logText += c.toString()));
  const { app, shutdown } = await buildApp(config, { logStream: stream });
  let url: string;
  try {
    url = await app.listen({ port: config.PORT, host: '127.0.0.1' });
  } catch (error) {
    // A named port can be taken (EADDRINUSE): nothing of this hub may outlive the failure.
    await shutdown();
    if (!env.HUB_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    app,
    dataDir,
    logs: () => logText,
    token: async (role, shows = ['*'], ttl = 3600, sub = `${role}-test`) => (await mintToken(app.tokenKey, { sub, role, shows }, ttl)).token,
    close: async () => {
      await shutdown();
      if (!env.HUB_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes events as the hub's own producers do (alerts, controls, summaries: types no token may
 * publish), straight into an in-process hub's publish pipeline.
 */
export async function publishAsHub(hub: TestHub, show: string, events: Array<Record<string, unknown> & { type: string }>, sub = 'test'): Promise<string[]> {
  const { ids } = await hub.app.hub.publish(
    events.map((e) => ({ ...e, show })),
    { sub, role: 'admin', shows: null, hub: true },
  );
  return ids;
}

export interface HubProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/**
 * The hub as its own process (`src/main.ts` via tsx), for what only a process shows: SIGKILL
 * durability, SIGTERM draining, restarts. Resolves once it listens.
 */
export async function spawnHub(env: Record<string, string>): Promise<HubProcess> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', HUB_MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', HUB_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      // The dashboard line is printed whatever the log level.
      const m = /Showwire dashboard: (http:\/\/[^/\s]+)\//.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((code) => reject(new Error(`hub exited (${code}) before listening:\n${out}`)));
    setTimeout(() => reject(new Error(`hub did not listen within 30 s:\n${out}`)), 30_000).unref();
  });
  return { url, child, output: () => out, exited };
}

/** Status, headers and the body parsed as JSON (or the text, when it is not JSON). */
async function answer(res: Response) {
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

/** POST JSON (a string is sent as is, for malformed bodies) and answer status + parsed body. */
export async function postJson(url: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
  return answer(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** Every stored event of a show, oldest first, paging through `GET /api/shows/:show/events`. */
export async function readHistory(url: string, show: string, token: string): Promise<any[]> {
  const all: any[] = [];
  let after = '0';
  for (let page = 0; page < 1000; page++) {
    const res = await getJson(`${url}/api/shows/${show}/events?after=${after}&limit=1000`, token);
    if (res.status !== 200) throw new Error(`history of ${show}: ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...res.body.events);
    if (!res.body.next) break;
    after = res.body.next;
  }
  return all;
}

/** Any method with an optional JSON body, answered like postJson (status, parsed body, headers). */
export async function requestJson(method: string, url: string, token?: string, body?: unknown) {
  return answer(
    await fetch(url, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }),
  );
}

export async function getJson(url: string, token?: string) {
  return answer(await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }));
}

/** The sequence number of a hub event id (`<epoch>-<seq>`): orders ids of one log, as a number. */
export const eventSeq = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1));
