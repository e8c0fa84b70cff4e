import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { postJson, startHub, tempDir, type TestHub, startProxy, listen } from '@showwire/testkit';

/** Publishes `total` events to `show` in batches, answering the ids in the order the hub gave them. */
async function publish(hub: TestHub, token: string, show: string, total: number, batch: number, onBatch?: (n: number) => void | Promise<void>) {
  const ids: string[] = [];
  for (let sent = 0; sent < total; sent += batch) {
    const events = Array.from({ length: Math.min(batch, total - sent) }, (_, i) => ({ type: 'seq', n: sent + i }));
    const res = await postJson(`${hub.url}/api/shows/${show}/events`, events, token);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(...res.body.ids);
    await onBatch?.(sent / batch);
  }
  return ids;
}

describe('resume with Last-Event-ID', () => {
  let hub: TestHub;
  let publisher: string;
  let reader: string;
  before(async () => {
    hub = await startHub({ HUB_HEARTBEAT_MS: '1000' });
    publisher = await hub.token('agent', ['*']);
    reader = await hub.token('staff');
  });
  after(() => hub.close());

  it('3 clients dropped at random points while 5,000 events are published each end with all 5,000 exactly once, in order', async () => {
    const proxies = await Promise.all([0, 1, 2].map(() => startProxy(hub.url)));
    // Each client reconnects by itself (the eventsource package sends Last-Event-ID, as browsers do).
    const clients = proxies.map((p) => listen(`${p.url}/api/shows/resume-a/stream`, { token: reader }));
    await Promise.all(clients.map((c) => c.opened()));
    // Random but reproducible drop points: each client is dropped 3 times during publishing.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const drops = new Map<number, number[]>();
    for (const c of [0, 1, 2]) for (let k = 0; k < 3; k++) {
      const at = Math.floor(rand() * 95) + 2;
      drops.set(at, [...(drops.get(at) ?? []), c]);
    }
    const ids = await publish(hub, publisher, 'resume-a', 5000, 50, async (batchNo) => {
      for (const c of drops.get(batchNo) ?? []) proxies[c]!.sever();
    });
    assert.equal(ids.length, 5000);
    await Promise.all(clients.map((c, i) => c.until(() => c.events.length >= 5000, 60_000, `client ${i} to have 5000 events`)));
    // A little longer: anything extra (a duplicate) would arrive now.
    await postJson(`${hub.url}/api/shows/resume-a/events`, { type: 'seq', n: 'end' }, publisher);
    await Promise.all(clients.map((c) => c.until(() => c.events.at(-1)?.data.n === 'end', 20_000, 'end marker')));
    for (const [i, c] of clients.entries()) {
      c.close();
      const got = c.events.map((e) => e.id).slice(0, -1);
      assert.equal(got.length, 5000, `client ${i} got ${got.length} events`);
      assert.deepEqual(got, ids, `client ${i}: every event once, in order`);
      assert.deepEqual(c.events.slice(0, -1).map((e) => e.data.n), Array.from({ length: 5000 }, (_, n) => n));
      assert.ok(c.opens() >= 2, `client ${i} reconnected (${c.opens()} opens)`);
    }
    await Promise.all(proxies.map((p) => p.close()));
  });

  it('a client joining from lastEventId=0 while events are being published gets the replay then live, no gap, no duplicate', async () => {
    const first = await publish(hub, publisher, 'resume-b', 2000, 200);
    let late: ReturnType<typeof listen> | undefined;
    const rest = await publish(hub, publisher, 'resume-b', 2000, 20, (n) => {
      // Join part-way through the second half, by query parameter (what a browser can set on first connect).
      if (n === 10) late = listen(`${hub.url}/api/shows/resume-b/stream?lastEventId=0`, { token: reader });
    });
    const all = [...first, ...rest];
    await late!.until(() => late!.events.length >= 4000, 60_000, '4000 events');
    late!.close();
    assert.deepEqual(late!.events.map((e) => e.id), all);
  });

  it('says history_truncated before replaying when the resume point is older than retention', async () => {
    const dir = tempDir();
    const small = await startHub({ HUB_DATA_DIR: dir, HUB_RETENTION_PER_SHOW: '100', HUB_SECRET: 'x'.repeat(40) });
    const agent = await small.token('agent');
    const ids = await publish(small, agent, 'trunc', 300, 100);
    await small.close();
    // Retention runs at start: 200 of the 300 are gone.
    const again = await startHub({ HUB_DATA_DIR: dir, HUB_RETENTION_PER_SHOW: '100', HUB_SECRET: 'x'.repeat(40) });
    try {
      const staff = await again.token('staff');
      const c = listen(`${again.url}/api/shows/trunc/stream`, { token: staff, headers: { 'Last-Event-ID': ids[10]! } });
      await c.until(() => c.events.length >= 100, 20_000, '100 retained events');
      c.close();
      assert.equal(c.notices[0]?.type, 'history_truncated');
      assert.equal(c.notices[0]?.reason, 'retention');
      assert.equal(c.notices[0]?.lastEventId, ids[10]);
      assert.deepEqual(c.events.map((e) => e.id), ids.slice(200));
      const history = await fetch(`${again.url}/api/shows/trunc/events?after=${ids[10]}&limit=5`, { headers: { authorization: `Bearer ${staff}` } });
      const body = await history.json();
      assert.equal(body.truncated, true);
      assert.deepEqual(body.events.map((e: { id: string }) => e.id), ids.slice(200, 205));
      assert.equal(body.next, ids[204]);
    } finally {
      await again.close();
    }
  });

  it('an id this hub never issued gets an unknown_resume_point notice and live events from now', async () => {
    const [known] = (await postJson(`${hub.url}/api/shows/resume-c/events`, { type: 'x' }, publisher)).body.ids;
    const future = `${known.split('-')[0]}-999999999`;
    const c = listen(`${hub.url}/api/shows/resume-c/stream?lastEventId=${future}`, { token: reader });
    await c.opened();
    const [id] = (await postJson(`${hub.url}/api/shows/resume-c/events`, { type: 'x' }, publisher)).body.ids;
    await c.until(() => c.events.length === 1);
    c.close();
    assert.equal(c.notices.find((n) => n.type === 'history_truncated')?.reason, 'unknown_resume_point');
    assert.equal(c.events[0]!.id, id);
  });

  it('after the data dir is wiped, a resume from the old log gets epoch_changed and live events, not the new log\'s history', async () => {
    const dir = tempDir();
    const env = { HUB_DATA_DIR: dir, HUB_SECRET: 'y'.repeat(40) };
    const first = await startHub(env);
    const agent = await first.token('agent');
    const old = await publish(first, agent, 'wiped', 30, 10);
    await first.close();
    rmSync(dir, { recursive: true, force: true });
    const again = await startHub(env);
    try {
      const staff = await again.token('staff');
      // The new log has more events than the old resume point's sequence number: without epochs,
      // the old id would look like a position in this history and replay its tail.
      const fresh = await publish(again, agent, 'wiped', 40, 10);
      assert.notEqual(fresh[0]!.split('-')[0], old[0]!.split('-')[0], 'a new log has a new epoch');
      for (const [how, opts] of [
        ['header', { headers: { 'Last-Event-ID': old[5]! } }],
        ['query', {}],
      ] as const) {
        const url = `${again.url}/api/shows/wiped/stream${how === 'query' ? `?lastEventId=${old[5]}` : ''}`;
        const c = listen(url, { token: staff, ...opts });
        await c.opened();
        const [live] = (await postJson(`${again.url}/api/shows/wiped/events`, { type: 'x' }, agent)).body.ids;
        await c.until(() => c.events.length >= 1);
        c.close();
        const notice = c.notices.find((n) => n.type === 'history_truncated');
        assert.equal(notice?.reason, 'epoch_changed', how);
        assert.equal(notice?.lastEventId, old[5]);
        assert.deepEqual(c.events.map((e) => e.id), [live], `${how}: only live events, none of the new log's history`);
      }
      // A bare number (an id from before epochs) is another history too.
      const legacy = listen(`${again.url}/api/shows/wiped/stream?lastEventId=12`, { token: staff });
      await legacy.until(() => legacy.notices.length >= 1);
      legacy.close();
      assert.equal(legacy.notices[0]?.reason, 'epoch_changed');
      // `0` still means the oldest retained event of this log.
      const all = listen(`${again.url}/api/shows/wiped/stream?lastEventId=0`, { token: staff });
      await all.until(() => all.events.length >= 42);
      all.close();
      assert.deepEqual(all.events.slice(0, 40).map((e) => e.id), fresh);
    } finally {
      await again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
