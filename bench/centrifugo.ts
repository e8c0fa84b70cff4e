import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { postForText, type Target } from '@showwire/stream-test/load';
import { freePort, stopChild, waitForPort, type Server } from './servers.js';

/**
 * Centrifugo 6 as the second reference: one process, memory engine, unidirectional SSE
 * subscribers with a server-side subscription from their JWT's `channels` claim, publishes over
 * its HTTP API. Fan-out channels keep no history (Centrifugo's cheapest path); channels in the
 * `resume` namespace keep 20,000 publications so a subscriber can recover 10,000 it missed.
 */
export const CENTRIFUGO_VERSION = 'v6.9.1';
const MODULE = `github.com/centrifugal/centrifugo/v6@${CENTRIFUGO_VERSION}`;
export const RESUME_NAMESPACE = 'resume';

/** The binary: BENCH_CENTRIFUGO, or `centrifugo` in GOBIN (GOPATH/bin, ~/go/bin), built there with `go install` on first use. */
function binary(): string {
  if (process.env.BENCH_CENTRIFUGO) return process.env.BENCH_CENTRIFUGO;
  const gobin = process.env.GOBIN || join(process.env.GOPATH || join(homedir(), 'go'), 'bin');
  const path = join(gobin, 'centrifugo');
  if (existsSync(path)) return path;
  console.log(`  building Centrifugo ${CENTRIFUGO_VERSION} (go install ${MODULE}, once; a few minutes)…`);
  const r = spawnSync('nice', ['-n', '19', 'go', 'install', MODULE], { env: { ...process.env, GOBIN: gobin }, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(path)) throw new Error(`go install ${MODULE} failed (${r.error?.message ?? `exit ${r.status}`}); set BENCH_CENTRIFUGO to a centrifugo 6 binary`);
  return path;
}

export interface Centrifugo extends Server {
  version: string;
  /** A Target for `channel`: SSE subscribers subscribed to it by their token, publishes through the HTTP API. */
  target: (channel: string) => Promise<Target>;
  /** The URL of a subscriber to all of `channels` (server-side subscriptions from its token). */
  multiUrl: (channels: string[]) => Promise<string>;
  /** The URL of a subscriber to `channel` that recovers what came after `position` (a publish answer's offset and epoch). */
  resumeUrl: (channel: string, position: { offset: number; epoch: string }) => Promise<string>;
  /** Publishes one JSON body to `channel`; answers the stream position it got (history channels only). */
  publish: (channel: string, data: string) => Promise<{ offset: number; epoch: string }>;
}

export async function startCentrifugo(): Promise<Centrifugo> {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), 'showwire-bench-centrifugo-'));
  const port = await freePort();
  const secret = randomBytes(32).toString('hex');
  const apiKey = randomBytes(16).toString('hex');
  const config = {
    http_server: { address: '127.0.0.1', port },
    log: { level: 'error' },
    client: {
      token: { hmac_secret_key: secret },
      allowed_origins: ['*'],
      // A resume of 10,000 must fit in one recovery (the default limit is 300).
      recovery_max_publication_limit: 20_000,
      // Like the hub's and Nchan's buffers in the bench: a slow reader is not cut off.
      queue_max_size: 256 * 1024 * 1024,
      // The support floor's walls hear 200 shows on one connection (the default allows 128).
      channel_limit: 1000,
    },
    http_api: { key: apiKey, error_mode: 'transport' },
    uni_sse: { enabled: true },
    channel: {
      namespaces: [{ name: RESUME_NAMESPACE, history_size: 20_000, history_ttl: '600s', force_recovery: true }],
    },
  };
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child = spawn(bin, ['--config', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await waitForPort(port, child, () => `centrifugo: ${out}`);
  const base = `http://127.0.0.1:${port}`;
  const key = new TextEncoder().encode(secret);
  const token = (channel: string | string[]) => new SignJWT({ channels: typeof channel === 'string' ? [channel] : channel }).setProtectedHeader({ alg: 'HS256' }).setSubject('bench').setExpirationTime('6h').sign(key);
  const sseUrl = (connect: object) => `${base}/connection/uni_sse?cf_connect=${encodeURIComponent(JSON.stringify(connect))}`;
  const pubHeaders = { 'X-API-Key': apiKey };
  const envelope = (channel: string) => ({ prefix: `{"channel":${JSON.stringify(channel)},"data":`, suffix: '}' });
  return {
    name: 'centrifugo',
    base,
    version: CENTRIFUGO_VERSION,
    pids: () => [child.pid!],
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    target: async (channel) => ({
      name: 'centrifugo',
      subUrl: sseUrl({ token: await token(channel) }),
      pubUrl: `${base}/api/publish`,
      pubHeaders,
      pubWrap: envelope(channel),
      batch: { url: `${base}/api/batch`, wrap: { prefix: '{"commands":[', suffix: ']}' }, item: { prefix: `{"publish":${envelope(channel).prefix}`, suffix: '}}' } },
    }),
    multiUrl: async (channels) => sseUrl({ token: await token(channels) }),
    resumeUrl: async (channel, position) => sseUrl({ token: await token(channel), subs: { [channel]: { recover: true, offset: position.offset, epoch: position.epoch } } }),
    publish: async (channel, data) => {
      const r = await postForText(`${base}/api/publish`, `${envelope(channel).prefix}${data}${envelope(channel).suffix}`, pubHeaders);
      if (r.status !== 200) throw new Error(`centrifugo publish: ${r.status} ${r.text}`);
      const result = (JSON.parse(r.text) as { result?: { offset?: number; epoch?: string } }).result;
      return { offset: result?.offset ?? 0, epoch: result?.epoch ?? '' };
    },
  };
}
