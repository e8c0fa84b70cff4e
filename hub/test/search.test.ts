import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SearchAnswer } from '@showwire/protocol';
import { getJson, postJson, publishAsHub, startHub, startRedis, tempDir, type RedisServer, type TestHub } from '@showwire/testkit';

/** The search route against a real hub: ranking, phrases, prefixes, filters, access, rebuilds, many hubs. */

const T0 = 1_800_000_000;
const LONG_FILLER = 'we talked about the weather the studio lights the camera angle the next guest the music and many other things today';

/** Two shows with a bit of everything the index holds (and things it leaves out). */
const SHOWS: Record<string, Array<Record<string, unknown> & { type: string }>> = {
  'mugs-night': [
    { type: 'show_started', title: 'Mugs night', timestamp: T0 },
    { type: 'transcript', role: 'user', text: 'The sizes are wrong, sizes sizes sizes', timestamp: T0 + 1 },
    { type: 'transcript', role: 'user', text: `${LONG_FILLER} and sizes once`, timestamp: T0 + 2 },
    { type: 'transcript', role: 'user', text: 'I have a blue mug here', timestamp: T0 + 3 },
    { type: 'transcript', role: 'user', text: 'this mug is blue', timestamp: T0 + 4 },
    { type: 'transcript', role: 'user', text: 'interim words zebra', final: false, timestamp: T0 + 4.5 },
    { type: 'transcript', role: 'agent', text: 'Creating the blue mug product now', timestamp: T0 + 5 },
    { type: 'tool_call', name: 'create_product', args: { name: 'Blue mug' }, output: 'price must be positive', isError: true, durationMs: 12 },
    { type: 'product_created', product: { id: 'p-1', name: 'Enamel camping mug', price: 12, currency: 'EUR' } },
    { type: 'agent_state', state: 'thinking' },
  ],
  'hats-show': [
    { type: 'show_started', title: 'Hats', timestamp: T0 + 100 },
    { type: 'transcript', role: 'user', text: 'a complaint about sizes of hats', timestamp: T0 + 101 },
    { type: 'alert_raised', alertId: 'a1', rule: 'latency_high', severity: 'warning', message: 'p95 latency over threshold' },
    { type: 'control', action: 'say', by: 'staff-jo', ok: true, text: 'welcome hat lovers' },
    { type: 'show_ended', reason: 'host left' },
  ],
};

async function publishAll(hub: TestHub) {
  // What only the hub writes (alerts, controls) goes in as the hub; the rest as a publisher would.
  for (const [show, events] of Object.entries(SHOWS)) {
    await publishAsHub(hub, show, events);
  }
}

const searchAs = async (hub: TestHub, token: string, query: Record<string, string>) => {
  const res = await getJson(`${hub.url}/api/search?${new URLSearchParams(query)}`, token);
  return res as { status: number; body: SearchAnswer & { error?: string; message?: string } };
};
const ok = async (hub: TestHub, token: string, query: Record<string, string>) => {
  const res = await searchAs(hub, token, query);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
};
const texts = (a: SearchAnswer) => a.results.map((r) => r.snippet.map((p) => p.text).join(''));

describe('search', () => {
  let hub: TestHub;
  let staff: string;
  let dataDir: string;

  before(async () => {
    dataDir = tempDir();
    hub = await startHub({ HUB_DATA_DIR: dataDir, HUB_SEARCH_FLUSH_MS: '50' });
    // The index's start-up catch-up runs on its worker thread; answers say `complete: false` until it ends.
    await hub.app.hub.search.ready();
    await publishAll(hub);
    staff = await hub.token('staff');
  });
  after(async () => {
    await hub?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ranks by relevance (bm25), marks the matched words, and links to the replay at the event', async () => {
    const a = await ok(hub, staff, { q: 'sizes' });
    assert.equal(a.results.length, 3, JSON.stringify(a.results));
    assert.match(texts(a)[0]!, /^The sizes are wrong/);
    assert.ok(a.results[0]!.rank < a.results[2]!.rank, 'the best match has the lowest bm25');
    assert.match(texts(a)[2]!, /sizes once$/, 'one mention in a long line comes last');
    const marked = a.results[0]!.snippet.filter((p) => p.mark).map((p) => p.text);
    assert.deepEqual(marked, ['sizes', 'sizes', 'sizes', 'sizes']);
    const first = a.results[0]!;
    assert.equal(first.show, 'mugs-night');
    assert.equal(first.type, 'transcript');
    assert.equal(first.role, 'user');
    assert.equal(first.link, `/shows/mugs-night/replay?at=${first.receivedAt}#e${first.id}`);
    assert.equal(a.complete, true);
  });

  it('matches a quoted phrase only with its words in order, and a prefix with *', async () => {
    const phrase = await ok(hub, staff, { q: '"blue mug"' });
    assert.deepEqual(texts(phrase).sort(), ['Creating the blue mug product now', 'I have a blue mug here', 'create_product {"name":"Blue mug"} price must be positive failed error'].sort());
    const words = await ok(hub, staff, { q: 'blue mug' });
    assert.ok(texts(words).includes('this mug is blue'), 'without quotes every word must match, in any order');
    const prefix = await ok(hub, staff, { q: 'enam*' });
    assert.deepEqual(prefix.results.map((r) => r.type), ['product_created']);
    const none = await ok(hub, staff, { q: 'enam' });
    assert.equal(none.results.length, 0, 'without * a word is a whole word');
    assert.equal((await ok(hub, staff, { q: 'zebra' })).results.length, 0, 'interim transcript lines are not indexed');
    assert.equal((await ok(hub, staff, { q: 'thinking' })).results.length, 0, 'states carry no words to find');
  });

  it('finds failed tool calls, alerts and controls, and filters by type, role, time and show status', async () => {
    const failed = await ok(hub, staff, { q: 'create_product failed', types: 'tool_call' });
    assert.deepEqual(failed.results.map((r) => r.type), ['tool_call']);
    assert.equal((await ok(hub, staff, { q: 'latency' })).results[0]?.type, 'alert_raised');
    assert.equal((await ok(hub, staff, { q: 'hat lovers' })).results[0]?.type, 'control');
    const agentOnly = await ok(hub, staff, { q: 'blue', role: 'agent', types: 'transcript' });
    assert.deepEqual(texts(agentOnly), ['Creating the blue mug product now']);
    const ended = await ok(hub, staff, { q: 'sizes', status: 'ended' });
    assert.deepEqual(ended.results.map((r) => r.show), ['hats-show']);
    const live = await ok(hub, staff, { q: 'sizes', status: 'live' });
    assert.ok(live.results.length === 2 && live.results.every((r) => r.show === 'mugs-night'));
    const all = await ok(hub, staff, { q: 'sizes' });
    const cut = all.results.map((r) => r.receivedAt).sort()[1]!;
    const late = await ok(hub, staff, { q: 'sizes', from: String(cut) });
    assert.ok(late.results.length >= 1 && late.results.every((r) => r.receivedAt >= cut));
    const early = await ok(hub, staff, { q: 'sizes', to: new Date(cut * 1000 - 1).toISOString() });
    assert.ok(early.results.every((r) => r.receivedAt < cut));
    assert.equal(early.results.length + late.results.length, all.results.length);
  });

  it('keeps to history\'s access rules: a host finds only in its shows, a viewer only public types', async () => {
    const host = await hub.token('host', ['hats-show']);
    const mine = await ok(hub, host, { q: 'sizes' });
    assert.deepEqual(mine.results.map((r) => r.show), ['hats-show']);
    const other = await searchAs(hub, host, { q: 'sizes', shows: 'mugs-night' });
    assert.equal(other.status, 403);
    assert.equal(other.body.error, 'forbidden');
    assert.match(other.body.message!, /does not cover show "mugs-night"/);
    const viewer = await hub.token('viewer', ['*']);
    const pub = await ok(hub, viewer, { q: 'mug* OR sizes' });
    assert.ok(pub.results.length > 0 && pub.results.every((r) => r.type === 'product_created' || r.type === 'show_started'), JSON.stringify(pub.results));
    const agent = await searchAs(hub, await hub.token('agent'), { q: 'sizes' });
    assert.equal(agent.status, 403);
    assert.equal(agent.body.error, 'forbidden');
  });

  it('refuses bad queries in the hub\'s error shape', async () => {
    for (const [query, field] of [[{ q: '' }, 'q'], [{ q: '"***"' }, 'q'], [{ q: 'x', limit: '0' }, 'limit'], [{ q: 'x', from: 'yesterday' }, 'from'], [{ q: 'x', role: 'host' }, 'role']] as const) {
      const res = await searchAs(hub, staff, query);
      assert.equal(res.status, 400, JSON.stringify(query));
      assert.equal(res.body.error, 'validation_failed');
      assert.match(res.body.message!, new RegExp(field));
    }
  });

  it('rebuilds from the log after its file is deleted, with the same answers', async () => {
    const queries: Array<Record<string, string>> = [{ q: 'sizes' }, { q: '"blue mug"' }, { q: 'mug*', limit: '50' }];
    const before = await Promise.all(queries.map((q) => ok(hub, staff, q)));
    await hub.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `search.db${suffix}`), { force: true });
    hub = await startHub({ HUB_DATA_DIR: dataDir });
    await hub.app.hub.search.ready();
    assert.ok((await hub.app.hub.search.count()) > 0);
    const again = await Promise.all(queries.map((q) => ok(hub, staff, q)));
    assert.deepEqual(again, before);
  });
});

describe('search when its index cannot open', () => {
  it('the hub runs on, search answers 503 saying why, and nothing waits on the dead thread', async () => {
    const dataDir = tempDir();
    // A directory where the index file goes: its thread fails at start.
    mkdirSync(join(dataDir, 'search.db'));
    const hub = await startHub({ HUB_DATA_DIR: dataDir, HUB_SEARCH_FLUSH_MS: '50' });
    try {
      await hub.app.hub.search.ready();
      const staff = await hub.token('staff');
      const agent = await hub.token('agent', ['s1']);
      assert.equal((await postJson(`${hub.url}/api/shows/s1/events`, [{ type: 'transcript', role: 'user', text: 'still stored' }], agent)).status, 201);
      const res = await searchAs(hub, staff, { q: 'stored' });
      assert.deepEqual([res.status, res.body.error], [503, 'unavailable']);
      assert.match(res.body.message!, /search index is not running on this hub/);
      await assert.rejects(hub.app.hub.search.count(), /search index thread exited/, 'a request after the thread ended is refused, not left waiting');
      assert.match(hub.logs(), /search index thread failed/);
    } finally {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('search on two hubs sharing one Redis', () => {
  let redis: RedisServer;
  const hubs: TestHub[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const h of hubs) await h.close();
    await redis.destroy();
  });

  it('gives the same answers on both, also on a hub that joins later and builds its index from the stream', async () => {
    const env = { HUB_STORE: redis.url, HUB_SECRET: 's'.repeat(40), HUB_SEARCH_FLUSH_MS: '50' };
    hubs.push(await startHub(env), await startHub(env));
    const [a, b] = hubs as [TestHub, TestHub];
    await publishAll(a);
    const staff = await a.token('staff');
    const queries: Array<Record<string, string>> = [{ q: 'sizes' }, { q: '"blue mug"' }, { q: 'mug*', limit: '50' }, { q: 'latency OR hat*' }];
    // B hears A's appends through the stream; it may be a moment behind.
    const answers = (h: TestHub) => Promise.all(queries.map((q) => ok(h, staff, q)));
    assert.equal((await answers(a)).at(0)!.results.length, 3);
    // The others hear A's appends through the stream a moment later; the hubs' own alerts may
    // still be arriving, so the answers are compared at one instant, until they settle.
    const sameAs = async (other: TestHub) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [x, y] = await Promise.all([answers(a), answers(other)]);
        if (JSON.stringify(x) === JSON.stringify(y) || Date.now() > deadline) return assert.deepEqual(y, x);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await sameAs(b);
    hubs.push(await startHub(env));
    const c = hubs[2]!;
    await c.app.hub.search.ready();
    await sameAs(c);
  });
});
