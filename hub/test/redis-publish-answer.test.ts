import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listen, postJson, startHub, startRedis, type RedisServer, type TestHub } from '@showwire/testkit';

/**
 * On Redis an append answers once Redis has the event, without waiting for its own stream reader:
 * `clients_notified` is this hub's connections that want the events, delivery to every hub's
 * connections still comes from the reader, and an answer built from folded state (the carousel)
 * still sees the publisher's own writes.
 */
describe('publishing on Redis: the answer and the stream reader', () => {
  let redis: RedisServer;
  let a: TestHub;
  let b: TestHub;
  before(async () => {
    redis = await startRedis();
    const env = { HUB_STORE: redis.url, HUB_AUTH: 'on', HUB_SECRET: 'redis-publish-answer-secret-0123456789' };
    a = await startHub(env);
    b = await startHub(env);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.destroy();
  });

  it("clients_notified counts this hub's matching connections; every hub's connections get every event, once, in order", async () => {
    const staff = await a.token('staff');
    const agent = await a.token('agent');
    const onA = [0, 1].map(() => listen(`${a.url}/api/shows/answer/stream`, { token: staff }));
    const otherShow = listen(`${a.url}/api/shows/elsewhere/stream`, { token: staff });
    const onB = listen(`${b.url}/api/shows/answer/stream`, { token: staff });
    await Promise.all([...onA, otherShow, onB].map((l) => l.opened()));
    const viaA = await postJson(`${a.url}/api/shows/answer/events`, [{ type: 'seq', n: 1 }, { type: 'seq', n: 2 }], agent);
    assert.equal(viaA.status, 201);
    assert.equal(viaA.body.clients_notified, 4, 'two events, each to the two matching connections of A');
    const viaB = await postJson(`${b.url}/api/shows/answer/events`, { type: 'seq', n: 3 }, agent);
    assert.equal(viaB.body.clients_notified, 1, "B's one matching connection");
    const ids = [...viaA.body.ids, ...viaB.body.ids];
    for (const l of [...onA, onB]) {
      await l.until(() => l.events.length >= 3, 10_000, 'three events');
      assert.deepEqual(l.events.map((e) => e.id), ids);
    }
    assert.equal(otherShow.events.length, 0);
    for (const l of [...onA, otherShow, onB]) l.close();
  });

  it('a product just created is on the carousel at once, on the hub that stored it', async () => {
    const agent = await a.token('agent');
    for (let i = 0; i < 10; i++) {
      const made = await postJson(`${a.url}/api/shows/rw/products`, { name: `P${i}`, price: 1, currency: 'EUR' }, agent);
      assert.equal(made.status, 201);
      const added = await postJson(`${a.url}/api/shows/rw/carousel`, { productId: made.body.product.id }, agent);
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(added.body.carousel.at(-1), made.body.product.id);
    }
  });
});
