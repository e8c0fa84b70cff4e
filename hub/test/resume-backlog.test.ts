import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { mintToken } from '../src/auth/tokens.js';
import { postJson, spawnHub, startHub, tempDir, rawConnect, waitFor } from '@showwire/testkit';

const BLOB = 'x'.repeat(16 * 1024);

/** Publishes `count` events of ~16 KiB to `show`, 40 to a request; answers their ids in order. */
async function publishBlobs(url: string, token: string, show: string, from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + count; i += 40) {
    const batch = Array.from({ length: Math.min(40, from + count - i) }, (_, k) => ({ type: 'blob', n: i + k, blob: BLOB }));
    const res = await postJson(`${url}/api/shows/${show}/events`, batch, token);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(...res.body.ids);
  }
  return ids;
}

interface Reader {
  /** Ids in the order they arrived, and each event's `n`. */
  ids: string[];
  ns: number[];
  notices: string[];
  res: Promise<IncomingMessage>;
  /** Resolves once `count` events arrived; rejects if the hub ends the stream first. */
  done: Promise<void>;
  close: () => void;
}

/** A stream read over its own socket, keeping only ids and `n` (the payloads are large). */
function readStream(url: string, token: string, lastEventId: string, count: number, onEvent?: (reader: Reader, stream: IncomingMessage) => void): Reader {
  const reader = { ids: [], ns: [], notices: [] } as unknown as Reader;
  let resolveRes!: (r: IncomingMessage) => void;
  reader.res = new Promise((r) => (resolveRes = r));
  reader.done = new Promise<void>((resolve, reject) => {
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${token}`, 'last-event-id': lastEventId } }, (res) => {
      resolveRes(res);
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const id = /^id: (.+)$/m.exec(frame)?.[1];
          if (!id) {
            if (frame.startsWith('data:')) reader.notices.push(JSON.parse(frame.slice(5)).type);
            continue;
          }
          reader.ids.push(id);
          reader.ns.push(Number(/"n":(\d+)/.exec(frame)![1]));
          onEvent?.(reader, res);
        }
        if (reader.ids.length >= count) resolve();
      });
      res.on('close', () => reject(new Error(`stream ended after ${reader.ids.length} of ${count} events`)));
    });
    req.on('error', reject);
    req.end();
    reader.close = () => req.destroy();
  });
  reader.done.catch(() => undefined);
  return reader;
}

describe('resume of a large backlog', () => {
  it('a resume with 50 MiB of backlog gets every event once and in order, and live events published meanwhile after it', async () => {
    // The default 1 MiB bound: the backlog is fifty times what a live client may have buffered.
    const hub = await startHub({ HUB_LOG_LEVEL: 'warn' });
    try {
      const agent = await hub.token('agent');
      const staff = await hub.token('staff');
      const [start] = (await postJson(`${hub.url}/api/shows/big/events`, { type: 'start' }, agent)).body.ids;
      const backlog = await publishBlobs(hub.url, agent, 'big', 0, 3200); // 3,200 × 16 KiB = 50 MiB
      let live: Promise<string[]> | undefined;
      let liveDone = false;
      // The client stops reading after 100 events; while it is stalled mid-replay, 3 MiB of live
      // events (three times the bound) are published, then it reads on.
      const reader = readStream(`${hub.url}/api/shows/big/stream`, staff, start, backlog.length + 200, (r, res) => {
        if (r.ids.length !== 100) return;
        res.pause();
        live = publishBlobs(hub.url, agent, 'big', 3200, 200).then((ids) => {
          liveDone = true;
          res.resume();
          return ids;
        });
      });
      await reader.done;
      reader.close();
      assert.ok(liveDone);
      const expected = [...backlog, ...(await live!)];
      assert.equal(reader.ids.length, expected.length, 'no event missing or repeated');
      assert.deepEqual(reader.ids, expected, 'every event once, in order');
      assert.deepEqual(reader.ns, Array.from({ length: 3400 }, (_, n) => n));
      // Presence notices say who watches the show (this reader among them); nothing else may come.
      assert.deepEqual(reader.notices.filter((type) => type !== 'presence'), [], 'no history_truncated or other notice');
      const metrics = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${staff}` } })).text();
      assert.doesNotMatch(metrics, /showwire_sse_closes_total\{reason="slow"\} [1-9]/, 'never closed as slow');
    } finally {
      await hub.close();
    }
  });

  it('a client that stops reading mid-replay is closed as slow after HUB_SSE_REPLAY_STALL_MS', async () => {
    const hub = await startHub({ HUB_LOG_LEVEL: 'warn', HUB_SSE_REPLAY_STALL_MS: '500' });
    try {
      const agent = await hub.token('agent');
      const staff = await hub.token('staff');
      const [start] = (await postJson(`${hub.url}/api/shows/stall/events`, { type: 'start' }, agent)).body.ids;
      // 20 MiB: more than loopback socket buffers take, so the replay has to wait for the client.
      await publishBlobs(hub.url, agent, 'stall', 0, 1280);
      const stuck = await rawConnect(hub.url);
      stuck.socket.write(`GET /api/shows/stall/stream HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${staff}\r\nLast-Event-ID: ${start}\r\n\r\n`);
      stuck.socket.pause();
      await waitFor('the stalled stream to be closed', async () => {
        const text = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${staff}` } })).text();
        return /^showwire_sse_closes_total\{reason="slow"\} 1$/m.test(text) && /^showwire_sse_connections 0$/m.test(text);
      });
      stuck.socket.resume(); // what it gets now ends: the hub closed it
      await stuck.closed;
    } finally {
      await hub.close();
    }
  });

  it('20 clients resuming 10 MiB each at once all complete, and the hub memory stays flat', async () => {
    const secret = 'resume-backlog-secret-0123456789abcdefgh';
    const key = new TextEncoder().encode(secret);
    const dir = tempDir();
    // A capped old space makes V8 collect as it goes, so RSS shows what the hub holds (as in
    // slow-clients.test.ts); replayed bytes waiting for sockets live outside the heap and count.
    // 64 MB: the hub starts at ~45 MB of heap under tsx, ~10 of it the API reference's bundle (Scalar
    // keeps its 5 MB script as a string); 200 MiB of replays still could not fit.
    const hub = await spawnHub({
      HUB_DATA_DIR: dir,
      HUB_SECRET: secret,
      HUB_LOG_LEVEL: 'info',
      // Small young generation too, so garbage doesn't pile up in it between collections.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=64 --max-semi-space-size=2`.trim(),
    });
    const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.child.pid}/status`, 'utf8'))![1]);
    try {
      const agent = (await mintToken(key, { sub: 'a', role: 'agent', shows: ['*'] }, 3600)).token;
      const staff = (await mintToken(key, { sub: 's', role: 'staff', shows: ['*'] }, 3600)).token;
      const [start] = (await postJson(`${hub.url}/api/shows/many/events`, { type: 'start' }, agent)).body.ids;
      const backlog = await publishBlobs(hub.url, agent, 'many', 0, 640); // 10 MiB
      // One resume first, so the hub has reached its working size before measuring.
      const warm = readStream(`${hub.url}/api/shows/many/stream`, staff, start, backlog.length);
      await warm.done;
      warm.close();
      const before = rssKiB();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssKiB())), 20);
      const readers = Array.from({ length: 20 }, () => readStream(`${hub.url}/api/shows/many/stream`, staff, start, backlog.length));
      try {
        await Promise.all(readers.map((r) => r.done));
      } finally {
        clearInterval(sampler);
        readers.forEach((r) => r.close());
      }
      for (const [i, r] of readers.entries()) assert.deepEqual(r.ids, backlog, `client ${i}: every event once, in order`);
      const grown = peak - before;
      // 200 MiB went out; 20 clients holding even one 500-event page each would be 160 MiB.
      assert.ok(grown < 16 * 1024, `RSS grew ${Math.round(grown / 1024)} MiB while 20 clients resumed 10 MiB each`);
      await waitFor('streams to be closed', async () => {
        const text = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${staff}` } })).text();
        return /^showwire_sse_connections 0$/m.test(text);
      });
    } catch (error) {
      // What the hub said (a crash, streams closed as slow or failing) explains a failure here.
      process.stderr.write(`hub output:\n${hub.output().slice(-4000)}\n`);
      throw error;
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
