import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintToken } from '../src/auth/tokens.js';
import { startBalancer, getJson, postJson, readHistory, spawnHub, type HubProcess, startRedis, type RedisServer, listen, waitFor } from '@showwire/testkit';

const SECRET = 's'.repeat(40);
const token = async (role: 'agent' | 'staff' | 'admin') => (await mintToken(new TextEncoder().encode(SECRET), { sub: `${role}-t`, role, shows: ['*'] }, 3600)).token;
const seq = (id: string) => Number(id.split('-')[1]);

/** Every id once, in publish order: no gap, no duplicate. */
function assertExactly(got: string[], want: string[], who: string) {
  const dupes = got.filter((id, i) => got.indexOf(id) !== i);
  assert.deepEqual(dupes, [], `${who}: no duplicates`);
  assert.deepEqual(got, want, `${who}: every event once, in order`);
}

describe('many hubs on one Redis', () => {
  let redis: RedisServer;
  const hubs: HubProcess[] = [];
  let agent: string;
  let staff: string;
  const spawn = async () => {
    const h = await spawnHub({ HUB_STORE: redis.url, HUB_SECRET: SECRET, HUB_DATA_DIR: `/tmp/showwire-unused-${process.pid}`, HUB_HEARTBEAT_MS: '500' });
    hubs.push(h);
    return h;
  };
  before(async () => {
    redis = await startRedis();
    agent = await token('agent');
    staff = await token('staff');
  });
  after(async () => {
    for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await redis.destroy();
  });

  it('publishers on A, subscribers on B and C get every event once in order; B is SIGKILLed and its clients resume on C', async () => {
    const [a, b, c] = [await spawn(), await spawn(), await spawn()];
    const lb = await startBalancer([b.url, c.url]);
    try {
      const viaB = [0, 1].map(() => listen(`${lb.url}/api/shows/multi/stream?lastEventId=0`, { token: staff }));
      const onC = listen(`${c.url}/api/shows/multi/stream?lastEventId=0`, { token: staff });
      await Promise.all([...viaB, onC].map((l) => l.opened()));
      const ids: string[] = [];
      const publishBatch = async (from: number, n: number) => {
        const res = await postJson(`${a.url}/api/shows/multi/events`, Array.from({ length: n }, (_, i) => ({ type: 'seq', n: from + i })), agent);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        ids.push(...res.body.ids);
      };
      for (let i = 0; i < 20; i++) await publishBatch(i * 10, 10);
      await Promise.all(viaB.map((l) => l.until(() => l.events.length >= 200, 30_000, '200 events via B')));
      // B dies mid-stream: its connections break and the clients reconnect, through the balancer, to C.
      b.child.kill('SIGKILL');
      assert.equal(await b.exited, 'SIGKILL');
      for (let i = 20; i < 50; i++) await publishBatch(i * 10, 10);
      for (const l of [...viaB, onC]) await l.until(() => l.events.length >= 500, 60_000, '500 events');
      assert.ok(viaB.every((l) => l.opens() >= 2), 'the clients of B reconnected');
      for (const [i, l] of viaB.entries()) assertExactly(l.events.map((e) => e.id), ids, `client ${i} of B`);
      assertExactly(onC.events.map((e) => e.id), ids, 'client of C');
      for (let i = 1; i < ids.length; i++) assert.ok(seq(ids[i]!) > seq(ids[i - 1]!), 'ids strictly increase');
      [...viaB, onC].forEach((l) => l.close());

      // Every hub answers the same history and the same show state.
      const histories = await Promise.all([a, c].map((h) => readHistory(h.url, 'multi', staff)));
      for (const h of histories) assert.deepEqual(h.map((e) => e.id), ids);
      const states = await Promise.all([a, c].map(async (h) => (await getJson(`${h.url}/api/shows/multi`, staff)).body));
      assert.equal(states[0].lastEventId, ids.at(-1));
      assert.deepEqual(states[0], states[1]);
      const replay = listen(`${c.url}/api/shows/multi/stream`, { token: staff, headers: { 'Last-Event-ID': ids[99]! } });
      await replay.until(() => replay.events.length >= 400);
      replay.close();
      assertExactly(replay.events.map((e) => e.id), ids.slice(100), 'resume on C from an id A issued');
    } finally {
      await lb.close();
    }
  });

  it('an eventId retried on another hub is the same event (idempotency lives in Redis)', async () => {
    const [a, c] = [hubs[0]!, hubs[2]!];
    const first = await postJson(`${a.url}/api/shows/idem/events`, { type: 'x', eventId: 'once' }, agent);
    const again = await postJson(`${c.url}/api/shows/idem/events`, { type: 'x', eventId: 'once' }, agent);
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.ids, first.body.ids);
  });

  it('Redis stopped: ingest answers 503 naming Redis and /readyz is unready; open streams stay open and carry on when Redis is back', async () => {
    const [a, c] = [hubs[0]!, hubs[2]!];
    const stream = listen(`${c.url}/api/shows/outage/stream?lastEventId=0`, { token: staff });
    await stream.opened();
    const before = await postJson(`${a.url}/api/shows/outage/events`, { type: 'x', n: 0 }, agent);
    assert.equal(before.status, 201);
    await redis.stop();
    const refused = await postJson(`${a.url}/api/shows/outage/events`, { type: 'x', n: 1 }, agent);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error, 'store_unavailable');
    assert.match(refused.body.message, /Redis is unavailable/);
    const ready = await getJson(`${a.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(ready.body.reason, /Redis/);
    await redis.start();
    await waitFor('hub A ready again', async () => (await getJson(`${a.url}/readyz`)).status === 200);
    const afterwards = await postJson(`${a.url}/api/shows/outage/events`, { type: 'x', n: 2 }, agent);
    assert.equal(afterwards.status, 201);
    await stream.until(() => stream.events.length >= 2);
    stream.close();
    assert.equal(stream.opens(), 1, 'the stream stayed open through the outage');
    assert.deepEqual(stream.events.map((e) => e.id), [before.body.ids[0], afterwards.body.ids[0]]);
  });

  it('Redis killed and restarted mid-publish (AOF, appendfsync always): no acknowledged event is missing, and streams get them all', async () => {
    const [a, c] = [hubs[0]!, hubs[2]!];
    const stream = listen(`${c.url}/api/shows/restart/stream?lastEventId=0`, { token: staff });
    await stream.opened();
    const acked = new Map<string, number>();
    let refused = 0;
    let stop = false;
    const publisher = async (p: number) => {
      for (let i = 0; !stop && i < 2000; i++) {
        const n = p * 10_000 + i;
        const res = await postJson(`${a.url}/api/shows/restart/events`, { type: 'seq', n, eventId: `e${n}` }, agent).catch(() => undefined);
        if (res?.status === 201) acked.set(res.body.ids[0], n);
        else refused++;
      }
    };
    const running = [publisher(1), publisher(2)];
    try {
      await waitFor('100 acknowledged', () => acked.size >= 100);
      await redis.kill();
      // Down long enough that publishes are refused: the restart lands mid-publish.
      await waitFor('a publish refused while Redis is down', () => refused > 0);
      await redis.start();
      const mark = acked.size;
      await waitFor('publishing resumed after the restart', () => acked.size >= mark + 100, 60_000);
    } finally {
      stop = true;
      await Promise.all(running);
    }
    try {
      const stored = new Map((await readHistory(a.url, 'restart', staff)).map((e) => [e.id, e.n]));
      for (const [id, n] of acked) assert.equal(stored.get(id), n, `acknowledged ${id} survived the restart`);
      await stream.until(() => [...acked.keys()].every((id) => stream.events.some((e) => e.id === id)), 60_000, 'every acknowledged event on the stream');
    } finally {
      stream.close();
    }
    const got = stream.events.map((e) => e.id);
    assert.equal(new Set(got).size, got.length, 'no duplicates on the stream');
  });

  it('SIGTERM drains a hub on Redis: its reader stops and it exits 0; the others carry on', async () => {
    const [a, c] = [hubs[0]!, hubs[2]!];
    const stream = listen(`${c.url}/api/shows/drain/stream?lastEventId=0`, { token: staff });
    try {
      await stream.opened();
      a.child.kill('SIGTERM');
      assert.equal(await a.exited, 0);
      const res = await postJson(`${c.url}/api/shows/drain/events`, { type: 'x' }, agent);
      assert.equal(res.status, 201);
      await stream.until(() => stream.events.length === 1);
      assert.deepEqual(stream.events.map((e) => e.id), res.body.ids);
    } finally {
      stream.close();
    }
  });

  it('rate limits are counted in Redis: one token\'s budget is shared by every hub', async () => {
    const env = { HUB_STORE: redis.url, HUB_SECRET: SECRET, HUB_REDIS_PREFIX: '{rl}:', HUB_RATE_LIMIT_INGEST: '4', HUB_RATE_LIMIT_WINDOW_MS: '60000' };
    const [x, y] = [await spawnHub(env), await spawnHub(env)];
    hubs.push(x, y);
    const statuses: number[] = [];
    for (const h of [x, y, x, y, x]) statuses.push((await postJson(`${h.url}/api/shows/limited/events`, { type: 'x' }, agent)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 429], 'the fifth publish, on either hub, is over the budget of 4');
    const other = await postJson(`${y.url}/api/shows/limited/events`, { type: 'x' }, await token('admin'));
    assert.equal(other.status, 201, 'another token has its own budget');
  });
});
