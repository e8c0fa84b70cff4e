import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { mintToken } from '../src/auth/tokens.js';
import { getJson, postJson, spawnHub, startHub, tempDir, waitFor } from '@showwire/testkit';

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const metric = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');

describe('slow and dead clients', () => {
  it('a client that never reads is closed once its buffer fills, and the hub memory stays flat', async () => {
    const secret = 'slow-client-secret-0123456789abcdefghij';
    const key = new TextEncoder().encode(secret);
    // A capped old space and a small young generation make V8 collect garbage as it goes, so RSS
    // measures what the hub holds, not how far a busy machine let the GC fall behind (Node 24's
    // default young generation alone swings RSS by ±50 MiB while 100 MB of posts pass). Bytes
    // queued for a socket live in Buffers outside the V8 heap: an unbounded buffer would still show
    // as ~100 MiB of growth.
    const hub = await spawnHub({
      HUB_DATA_DIR: tempDir(),
      HUB_SECRET: secret,
      HUB_SSE_BUFFER_BYTES: String(1024 * 1024),
      HUB_LOG_LEVEL: 'warn',
      // 64 MB, as in resume-backlog.test.ts: the hub starts at ~45 MB of heap under tsx.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=64 --max-semi-space-size=1`.trim(),
    });
    try {
      const staff = (await mintToken(key, { sub: 's', role: 'staff', shows: ['*'] }, 3600)).token;
      const agent = (await mintToken(key, { sub: 'a', role: 'agent', shows: ['*'] }, 3600)).token;
      // A raw socket that sends the request and then never reads a byte.
      const { port } = new URL(hub.url);
      const stuck = connect(Number(port), '127.0.0.1');
      await new Promise((r) => stuck.on('connect', r));
      stuck.write(`GET /api/shows/slow/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${staff}\r\n\r\n`);
      stuck.pause();
      let closedByHub = false;
      stuck.on('close', () => (closedByHub = true));
      const pid = hub.child.pid!;
      const warm = async (from: number, count: number) => {
        const blob = 'x'.repeat(4000);
        for (let i = from; i < from + count; i += 100) {
          const res = await postJson(`${hub.url}/api/shows/slow/events`, Array.from({ length: 100 }, (_, k) => ({ type: 'blob', n: i + k, blob })), agent);
          assert.equal(res.status, 201);
        }
      };
      await warm(0, 2000); // let the hub reach its working size before measuring
      const before = rssKiB(pid);
      await warm(2000, 25_000); // ~100 MB through the hub while the client reads nothing
      const grown = rssKiB(pid) - before;
      const metrics = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${staff}` } })).text();
      assert.equal(metric(metrics, 'showwire_sse_closes_total{reason="slow"}'), 1, 'closed as slow');
      assert.equal(metric(metrics, 'showwire_sse_connections'), 0);
      assert.ok(grown < 64 * 1024, `RSS grew ${Math.round(grown / 1024)} MiB while 100 MiB passed a stuck client`);
      stuck.resume(); // now it reads: what it gets ends, the hub closed it
      await new Promise<void>((r) => (closedByHub ? r() : stuck.on('close', () => r())));
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
  });

  it('releases disconnected clients at once: no leak after 10,000 connect/disconnect cycles', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const hub = await startHub({ HUB_LOG_LEVEL: 'warn' });
    try {
      const staff = await hub.token('staff');
      const cycle = (i: number) =>
        new Promise<void>((resolve, reject) => {
          const shows = `leak-${i % 7}`; // several groups, so group bookkeeping is exercised too
          const req = request(`${hub.url}/api/stream?shows=${shows}${i % 2 ? '&types=transcript' : ''}`, { headers: { authorization: `Bearer ${staff}` }, agent: false }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(e)));
          req.end();
        });
      const lanes = 8;
      const run = async (from: number, to: number) => {
        for (let i = from; i < to; i += lanes) await Promise.all(Array.from({ length: lanes }, (_, k) => cycle(i + k)));
      };
      await run(0, 1000);
      await waitFor('connections to be released', () => hub.app.hub.fanout.stats().connections === 0);
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      await run(1000, 10_000);
      await waitFor('connections to be released', () => hub.app.hub.fanout.stats().connections === 0);
      gc();
      const grown = process.memoryUsage().heapUsed - heapBefore;
      assert.deepEqual(hub.app.hub.fanout.stats(), { connections: 0, groups: 0 });
      assert.ok(grown < 8 * 1024 * 1024, `heap grew ${Math.round(grown / 1024)} KiB over 9,000 cycles`);
      // Still serving.
      const agent = await hub.token('agent');
      assert.equal((await postJson(`${hub.url}/api/shows/leak-1/events`, { type: 'x' }, agent)).body.clients_notified, 0);
      assert.equal((await getJson(`${hub.url}/healthz`)).status, 200);
    } finally {
      await hub.close();
    }
  });
});
