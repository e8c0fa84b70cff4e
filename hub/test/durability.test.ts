import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { mintToken } from '../src/auth/tokens.js';
import { postJson, readHistory as history, spawnHub, tempDir } from '@showwire/testkit';

const SECRET = 'durability-test-secret-0123456789abcdef';
const key = new TextEncoder().encode(SECRET);
const token = async (role: 'agent' | 'staff') => (await mintToken(key, { sub: `${role}-t`, role, shows: ['*'] }, 3600)).token;


describe('durability', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  /** A new data dir (removed after the suite) and the secret the tests sign with. */
  const freshEnv = () => {
    const dir = tempDir();
    dirs.push(dir);
    return { HUB_DATA_DIR: dir, HUB_SECRET: SECRET };
  };

  it('every event acknowledged before a SIGKILL is there, and replayable, after restart', async () => {
    const env = freshEnv();
    const hub = await spawnHub(env);
    const agent = await token('agent');
    const acked = new Map<string, number>();
    let n = 0;
    let killed = false;
    // Four publishers race; the hub is killed the moment any batch is acknowledged after the 40th.
    const publisher = async () => {
      while (!killed) {
        const events = Array.from({ length: 25 }, () => ({ type: 'seq', n: n++ }));
        let res;
        try {
          res = await postJson(`${hub.url}/api/shows/dur/events`, events, agent);
        } catch {
          return; // the connection died with the hub: not acknowledged, so not promised
        }
        if (res.status !== 201) return;
        res.body.ids.forEach((id: string, i: number) => acked.set(id, events[i]!.n));
        if (acked.size >= 1000 && !killed) {
          killed = true;
          hub.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([publisher(), publisher(), publisher(), publisher()]);
    assert.equal(await hub.exited, 'SIGKILL');

    const again = await spawnHub(env);
    try {
      const staff = await token('staff');
      const stored = await history(again.url, 'dur', staff);
      const byId = new Map(stored.map((e) => [e.id, e.n]));
      for (const [id, value] of acked) assert.equal(byId.get(id), value, `acknowledged event ${id} survived`);
      assert.ok(acked.size >= 1000);
      // Ids stay strictly increasing and unique after the crash, and new ones continue past them.
      // (Ids are `<epoch>-<seq>`: the same epoch before and after the crash, so seq orders them.)
      const seqOf = (id: string) => Number(id.split('-')[1]);
      assert.equal(new Set(stored.map((e) => e.id.split('-')[0])).size, 1, 'one epoch across the crash');
      const ids = stored.map((e) => seqOf(e.id));
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.equal(new Set(ids).size, ids.length);
      const next = await postJson(`${again.url}/api/shows/dur/events`, { type: 'seq', n: -1 }, agent);
      assert.ok(seqOf(next.body.ids[0]) > Math.max(...ids));
      assert.equal(next.body.ids[0].split('-')[0], stored[0].id.split('-')[0]);
      // Replayable over SSE from the start.
      const replay = await readStream(`${again.url}/api/shows/dur/stream?lastEventId=0`, staff, stored.length + 1);
      assert.deepEqual(replay, [...stored.map((e) => e.id), next.body.ids[0]]);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('SIGTERM drains: streams end with a retry hint, an in-flight write finishes whole or not at all, exit 0', async () => {
    const env = freshEnv();
    const hub = await spawnHub(env);
    const staff = await token('staff');
    const agent = await token('agent');
    let streamText = '';
    const ended = new Promise<void>((resolve) => {
      const req = request(`${hub.url}/api/stream`, { headers: { authorization: `Bearer ${staff}` } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => (streamText += c));
        res.on('end', () => resolve());
        res.on('close', () => resolve());
      });
      req.end();
    });
    while (!streamText.includes('retry:')) await new Promise((r) => setTimeout(r, 20));
    const inflight = postJson(`${hub.url}/api/shows/drain/events`, Array.from({ length: 200 }, (_, n) => ({ type: 'seq', n })), agent);
    // The request is on the wire before the signal.
    await new Promise((r) => setTimeout(r, 5));
    hub.child.kill('SIGTERM');
    const answered = await inflight.catch(() => undefined);
    await ended;
    assert.equal(await hub.exited, 0);
    assert.match(streamText, /retry: 500\n\n$/, 'the stream ended with a retry hint');
    const again = await spawnHub(env);
    try {
      const stored = await history(again.url, 'drain', staff);
      if (answered?.status === 201) assert.deepEqual(stored.map((e) => e.id), answered.body.ids, 'an acknowledged in-flight batch was kept whole');
      else assert.ok(stored.length === 0 || stored.length === 200, 'a batch is all or nothing');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});

/** Reads raw SSE until `count` ids arrived; answers the ids. */
function readStream(url: string, auth: string, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ids: string[] = [];
    let buf = '';
    const req = request(url, { headers: { authorization: `Bearer ${auth}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const m = /^id: (.+)$/m.exec(frame);
          if (m) ids.push(m[1]!);
        }
        if (ids.length >= count) {
          req.destroy();
          resolve(ids);
        }
      });
    });
    req.on('error', (e) => (ids.length >= count ? undefined : reject(e)));
    req.end();
    setTimeout(() => reject(new Error(`stream gave ${ids.length}/${count}`)), 30_000).unref();
  });
}
