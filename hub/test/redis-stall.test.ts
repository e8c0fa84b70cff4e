import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, listen, postJson, startHub, startRedis, waitFor, type RedisServer, type TestHub } from '@showwire/testkit';

/** The answer and how long it took; a request still unanswered after 3 s fails the test (it would hang for the whole stall). */
const timed = async <T>(what: Promise<T>) => {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3_000)));
  const value = await Promise.race([what, late]).finally(() => clearTimeout(timer));
  return { value, ms: Date.now() - started };
};

/**
 * A Redis that is there but does not answer (SIGSTOP: the kernel still accepts connections and
 * data, nothing comes back), as a stalled or swapped-out Redis or a network that drops packets.
 */
describe('a stalled Redis', () => {
  let redis: RedisServer;
  let hub: TestHub;
  const cont = () => {
    const pid = redis.pid();
    if (pid) process.kill(pid, 'SIGCONT');
  };
  before(async () => {
    redis = await startRedis();
    hub = await startHub({ HUB_STORE: redis.url, HUB_SECRET: 't'.repeat(40), HUB_DATA_DIR: `/tmp/showwire-unused-${process.pid}` });
  });
  after(async () => {
    cont();
    await hub.close();
    await redis.destroy();
  });

  it('gives quick 503s (store_unavailable) and /readyz 503 within a second, and recovers by itself after SIGCONT', async () => {
    const agent = await hub.token('agent');
    const staff = await hub.token('staff');
    const stream = listen(`${hub.url}/api/shows/stall/stream?lastEventId=0`, { token: staff });
    try {
      await stream.opened();
      await stalledAndBack(agent, staff, stream);
    } finally {
      stream.close();
    }
  });

  async function stalledAndBack(agent: string, staff: string, stream: ReturnType<typeof listen>) {
    const first = await postJson(`${hub.url}/api/shows/stall/events`, { type: 'x', n: 0 }, agent);
    assert.equal(first.status, 201);
    assert.equal((await getJson(`${hub.url}/readyz`)).status, 200);

    process.kill(redis.pid()!, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      for (let i = 0; i < 3; i++) {
        const ready = await timed(getJson(`${hub.url}/readyz`));
        assert.equal(ready.value.status, 503);
        assert.match(ready.value.body.reason, /Redis is unavailable/);
        assert.ok(ready.ms < 1_000, `/readyz answered in ${ready.ms} ms`);
        const post = await timed(postJson(`${hub.url}/api/shows/stall/events`, { type: 'x', stalled: i }, agent));
        assert.equal(post.value.status, 503, JSON.stringify(post.value.body));
        assert.equal(post.value.body.error, 'store_unavailable');
        assert.match(post.value.body.message, /Redis is unavailable/);
        assert.ok(post.ms < 2_000, `the POST answered in ${post.ms} ms`);
        const read = await timed(getJson(`${hub.url}/api/shows/stall/events?after=0`, staff));
        assert.equal(read.value.status, 503);
        assert.ok(read.ms < 2_000, `the history read answered in ${read.ms} ms`);
      }
      // Ten seconds stalled, as the attack did: the reader's blocking read outlives its deadline meanwhile.
      await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - stoppedAt))));
    } finally {
      cont();
    }
    await waitFor('the hub ready again', async () => (await getJson(`${hub.url}/readyz`)).status === 200, 10_000);
    const afterwards = await postJson(`${hub.url}/api/shows/stall/events`, { type: 'x', n: 1 }, agent);
    assert.equal(afterwards.status, 201, JSON.stringify(afterwards.body));
    // The open stream carried on: it has both acknowledged events (and whatever timed-out appends
    // Redis ran once it woke, which were never acknowledged), in order, each once.
    await stream.until(() => stream.events.some((e) => e.id === afterwards.body.ids[0]), 15_000, 'the event after the stall');
    const ids = stream.events.map((e) => e.id);
    assert.equal(ids[0], first.body.ids[0]);
    assert.equal(ids.at(-1), afterwards.body.ids[0]);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate');
    assert.equal(stream.opens(), 1, 'the stream stayed open through the stall');
  }
});
