import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { mintToken } from '../src/auth/tokens.js';
import type { NewEvent } from '../src/log/event-log.js';
import { openRedisLog } from '../src/log/redis-log.js';
import { createRedisOutbox } from '../src/webhooks/redis-outbox.js';
import { getJson, postJson, spawnHub, type HubProcess, startRedis, type RedisServer, startReceiver, waitFor } from '@showwire/testkit';

const SECRET = 'w'.repeat(40);
const token = async (role: 'agent' | 'admin') => (await mintToken(new TextEncoder().encode(SECRET), { sub: `${role}-t`, role, shows: ['*'] }, 3600)).token;

/** Webhooks with many hubs: the outbox is in Redis, written by the append script; deliveries are leased per hub. */
describe('webhooks on Redis, many hubs', () => {
  let redis: RedisServer;
  const hubs: HubProcess[] = [];
  let admin: string;
  let agent: string;
  const env = () => ({
    HUB_STORE: redis.url,
    HUB_SECRET: SECRET,
    HUB_DATA_DIR: `/tmp/showwire-unused-${process.pid}`,
    HUB_WEBHOOK_ALLOW_PRIVATE: 'true',
    HUB_WEBHOOK_SCHEDULE: '100,100,100,100,100,100,100,100,100,100',
    HUB_WEBHOOK_JITTER: '0',
    HUB_WEBHOOK_TIMEOUT_MS: '2000',
    // One endpoint may use a hub's whole pool (the crash test wants many in flight), and the
    // circuit breaker stays out of the way (the recover test wants its retries used up quickly).
    HUB_WEBHOOK_ENDPOINT_CONCURRENCY: '64',
    HUB_WEBHOOK_BREAKER_FAILURES: '1000',
  });
  before(async () => {
    redis = await startRedis();
    admin = await token('admin');
    agent = await token('agent');
  });
  after(async () => {
    for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await redis.destroy();
  });

  it('an endpoint made on one hub gets the events published on another, once each, signed', async () => {
    const [a, b] = [await spawnHub(env()), await spawnHub(env())];
    hubs.push(a, b);
    const receiver = await startReceiver();
    try {
      const ep = await postJson(`${a.url}/api/webhooks/endpoints`, { url: receiver.url, shows: ['wh-one'] }, admin);
      assert.equal(ep.status, 201);
      const listed = await getJson(`${b.url}/api/webhooks/endpoints`, admin);
      assert.deepEqual(listed.body.endpoints.map((e: { id: string }) => e.id), [ep.body.id]);
      const posted = await postJson(`${b.url}/api/shows/wh-one/events`, Array.from({ length: 20 }, (_, n) => ({ type: 'x', n })), agent);
      await postJson(`${b.url}/api/shows/elsewhere/events`, { type: 'x' }, agent);
      await receiver.until(() => receiver.received.length >= 20, '20 deliveries');
      assert.deepEqual(receiver.received.map((r) => r.event.id).sort(), [...posted.body.ids].sort());
      for (const r of receiver.received) {
        assert.equal(r.webhookId, `msg_${r.event.id}`);
        new Webhook(ep.body.secret).verify(r.body, r.headers as Record<string, string>);
      }
      // Attempts are settled in batches, a moment after the receiver answered.
      const succeeded = async () => (await getJson(`${a.url}/api/webhooks/deliveries?status=succeeded&limit=100`, admin)).body;
      await waitFor('20 settled deliveries', async () => (await succeeded()).deliveries.length === 20, 10_000);
      const list = { body: await succeeded() };
      const one = await getJson(`${a.url}/api/webhooks/deliveries/${list.body.deliveries[0].id}`, admin);
      assert.equal(one.body.attemptLog.length, 1);
      assert.equal(one.body.attemptLog[0].statusCode, 200);
      const del = await fetch(`${b.url}/api/webhooks/endpoints/${ep.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
      assert.equal(del.status, 204);
    } finally {
      await receiver.close();
    }
  });

  it('a hub SIGKILLed with 1,000 deliveries pending: every one arrives (another hub takes over its leases), repeats only with the same webhook-id', async () => {
    const receiver = await startReceiver(() => ({ status: 200, hold: true }));
    try {
      const [a, c] = [hubs[0]!, hubs[1]!];
      const ep = await postJson(`${a.url}/api/webhooks/endpoints`, { url: receiver.url, shows: ['wh-crash'] }, admin);
      const posted = await postJson(`${a.url}/api/shows/wh-crash/events`, Array.from({ length: 1000 }, (_, n) => ({ type: 'crash_test', n })), agent);
      assert.equal(posted.status, 201);
      const ids: string[] = posted.body.ids;
      const seen: string[] = [];
      receiver.respondWith((r) => (seen.push(r.webhookId), { status: 200, hold: true }));
      await receiver.until(() => seen.length >= 100, 'both hubs to hold attempts in flight');
      // While both hubs work, each delivery is in flight on one of them only (the lease).
      assert.equal(new Set(seen).size, seen.length, `no delivery in flight twice: ${seen.length} held`);
      a.child.kill('SIGKILL');
      assert.equal(await a.exited, 'SIGKILL');
      receiver.respondWith(() => ({ status: 200 }));
      const delivered = () => new Set(receiver.received.map((r) => r.event.id));
      await receiver.until(() => delivered().size === 1000, 'all 1,000 events after the kill', 120_000);
      assert.deepEqual([...delivered()].sort(), [...ids].sort());
      for (const r of receiver.received) {
        assert.equal(r.webhookId, `msg_${r.event.id}`, 'a repeat carries the same webhook-id');
        new Webhook(ep.body.secret).verify(r.body, r.headers as Record<string, string>);
      }
      // The gauge is read from Redis on a timer, so it may trail the last delivery by a moment.
      await waitFor('queue depth back to 0', async () => /^showwire_webhook_queue_depth 0$/m.test((await getJson(`${c.url}/metrics`, admin)).body), 10_000);
      const failed = await getJson(`${c.url}/api/webhooks/deliveries?status=failed`, admin);
      assert.deepEqual(failed.body.deliveries, []);
    } finally {
      await receiver.close();
    }
  });

  it('a test message and a recovery of failed deliveries, asked on another hub than the one that made the endpoint', async () => {
    const [b] = [hubs[1]!]; // hub A was SIGKILLed above: a fresh one stands in for it
    const a = await spawnHub(env());
    hubs.push(a);
    let failing = true;
    const receiver = await startReceiver(() => ({ status: failing ? 500 : 200 }));
    try {
      const ep = await postJson(`${a.url}/api/webhooks/endpoints`, { url: receiver.url, shows: ['wh-recover'] }, admin);
      assert.equal(ep.status, 201);
      const test = await postJson(`${b.url}/api/webhooks/endpoints/${ep.body.id}/test`, {}, admin);
      assert.equal(test.status, 202, JSON.stringify(test.body));
      assert.equal(test.body.type, 'webhook_test');
      assert.match(test.body.webhookId, /^msg_test_/);
      const missing = await postJson(`${b.url}/api/webhooks/endpoints/ep_nope/test`, {}, admin);
      assert.equal(missing.status, 404);
      assert.match(missing.body.message, /ep_nope/);

      // Ten retries 100 ms apart, all failing: the test message and three events end failed.
      const posted = await postJson(`${a.url}/api/shows/wh-recover/events`, [{ type: 'x', n: 1 }, { type: 'x', n: 2 }, { type: 'x', n: 3 }], agent);
      const failed = async () => (await getJson(`${b.url}/api/webhooks/deliveries?endpoint=${ep.body.id}&status=failed`, admin)).body.deliveries as any[];
      await waitFor('four failed deliveries', async () => (await failed()).length === 4, 30_000);
      const test500 = receiver.received.filter((r) => r.webhookId === test.body.webhookId);
      assert.equal(test500.length, 11, 'the test message was tried like any delivery');
      assert.equal(test500[0]!.event.type, 'webhook_test');
      new Webhook(ep.body.secret).verify(test500[0]!.body, test500[0]!.headers as Record<string, string>);

      // Nothing failed after a time in the future; everything since a minute ago comes back.
      const none = await postJson(`${a.url}/api/webhooks/endpoints/${ep.body.id}/recover`, { since: Date.now() / 1000 + 60 }, admin);
      assert.deepEqual([none.status, none.body], [202, { requeued: 0 }]);
      failing = false;
      const recovered = await postJson(`${a.url}/api/webhooks/endpoints/${ep.body.id}/recover`, { since: new Date(Date.now() - 60_000).toISOString() }, admin);
      assert.deepEqual([recovered.status, recovered.body], [202, { requeued: 4 }]);
      const ok = () => receiver.received.filter((r) => r.status === 200).map((r) => r.webhookId);
      await receiver.until(() => ok().length >= 4, 'the four recovered deliveries');
      assert.deepEqual(ok().sort(), [test.body.webhookId, ...posted.body.ids.map((id: string) => `msg_${id}`)].sort(), 'each once, with its first webhook-id');
      assert.deepEqual(await failed(), []);

      // A disabled endpoint is not recovered into: enable it first.
      await postJson(`${b.url}/api/webhooks/endpoints/${ep.body.id}/disable`, {}, admin);
      const refused = await postJson(`${b.url}/api/webhooks/endpoints/${ep.body.id}/recover`, { since: 0 }, admin);
      assert.equal(refused.body.error, 'endpoint_disabled', JSON.stringify(refused.body));
      assert.equal(refused.status, 409);
    } finally {
      await receiver.close();
    }
  });

  it('fair share on each hub: a hanging endpoint holds its share only, and a healthy one gets every event meanwhile', async () => {
    // Pools of 4 per hub, attempts that would hang 30 s: without the share the hanging endpoint
    // (created first, its deliveries due first) takes every slot of both hubs.
    const small = { ...env(), HUB_WEBHOOK_CONCURRENCY: '4', HUB_WEBHOOK_ENDPOINT_CONCURRENCY: '4', HUB_WEBHOOK_TIMEOUT_MS: '30000' };
    // The earlier tests' hubs (pools of 64) would work the same outbox: only these two run now.
    for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    const [x, y] = [await spawnHub(small), await spawnHub(small)];
    hubs.push(x, y);
    const hanging = await startReceiver(() => ({ status: 0, hold: true }));
    const healthy = await startReceiver(() => ({ status: 200 }));
    try {
      for (const r of [hanging, healthy]) assert.equal((await postJson(`${x.url}/api/webhooks/endpoints`, { url: r.url, shows: ['wh-fair'] }, admin)).status, 201);
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await postJson(`${(i % 2 ? x : y).url}/api/shows/wh-fair/events`, Array.from({ length: 5 }, (_, n) => ({ type: 'x', n })), agent);
        assert.equal(res.status, 201);
        ids.push(...res.body.ids);
      }
      await healthy.until(() => healthy.received.length >= ids.length, 'every event at the healthy endpoint while the other hangs', 20_000);
      assert.deepEqual(healthy.received.map((r) => r.event.id).sort(), [...ids].sort());
      // Two endpoints share each hub's pool of 4: the healthy one always keeps at least one slot
      // (its guarantee, held even while it is idle), so the hanging one holds at most 3 per hub.
      assert.ok(hanging.requests() <= 6, `the hanging endpoint had ${hanging.requests()} requests in flight`);
      assert.ok(hanging.requests() >= 2, 'the hanging endpoint was tried');
    } finally {
      for (const h of [x, y]) h.child.kill('SIGKILL');
      await Promise.all([hanging.close(), healthy.close()]);
    }
  });

  it('an endpoint failing for the whole period is disabled on Redis as on SQLite: webhook_failing first, then webhook_endpoint_disabled, its queue failed', async () => {
    // 0.00004 days is about 3.5 s: the schedule's 200 ms retries cross it; the alert fires after 500 ms of failing.
    const hub = await spawnHub({ ...env(), HUB_WEBHOOK_SCHEDULE: Array(50).fill('200').join(','), HUB_WEBHOOK_DISABLE_AFTER_DAYS: '0.00004', HUB_ALERT_WEBHOOK_FAILING_MS: '500' });
    hubs.push(hub);
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      const ep = (await postJson(`${hub.url}/api/webhooks/endpoints`, { url: receiver.url, types: ['wh.fail'] }, admin)).body;
      assert.equal((await postJson(`${hub.url}/api/shows/wh-fail/events`, { type: 'wh.fail' }, agent)).status, 201);
      const alert = await waitFor('webhook_failing', async () => (await getJson(`${hub.url}/api/alerts?show=default`, admin)).body.alerts.find((a: { rule: string; message: string }) => a.rule === 'webhook_failing' && a.message.includes(ep.id)), 10_000);
      assert.match(alert.message, new RegExp(`${ep.id}.*failed every delivery`));
      const off = await waitFor('the endpoint to be disabled', async () => {
        const e = (await getJson(`${hub.url}/api/webhooks/endpoints/${ep.id}`, admin)).body;
        return !e.enabled && e;
      }, 15_000);
      assert.equal(off.disabledReason, 'failing');
      assert.equal(typeof off.failingSince, 'number');
      const notices = await waitFor('the notice', async () => {
        const page = (await getJson(`${hub.url}/api/shows/default/events?types=webhook_endpoint_disabled`, admin)).body.events;
        return page.filter((x: { endpointId: string }) => x.endpointId === ep.id).length > 0 && page;
      }, 5_000);
      assert.deepEqual(notices.filter((x: { endpointId: string }) => x.endpointId === ep.id).map((x: { reason: string }) => x.reason), ['failing']);
      const deliveries = (await getJson(`${hub.url}/api/webhooks/deliveries?endpoint=${ep.id}`, admin)).body.deliveries;
      assert.deepEqual(deliveries.map((d: { status: string }) => d.status), ['failed'], 'its queue is failed, to recover after enabling');
      assert.ok(receiver.requests() >= 10, `retried on the schedule until disabled (${receiver.requests()} attempts)`);
    } finally {
      hub.child.kill('SIGKILL');
      await receiver.close();
    }
  });

  it('the outbox rows commit with the event in one script, and pruning forgets settled deliveries only', async () => {
    const log = await openRedisLog({ url: redis.url, prefix: '{prune}:' });
    try {
      const outbox = createRedisOutbox(log);
      const ep = await outbox.endpoints.create({ url: 'http://127.0.0.1:9/hook', description: '', types: ['keep'], secret: 'whsec_x', enabled: true });
      const now = Date.now() / 1000;
      const ev = (type: string) => ({ type, show: 's', source: 'agent:t', timestamp: now, receivedAt: now }) as NewEvent;
      const stored = await log.append([ev('keep'), ev('other'), ev('keep'), ev('keep')]);
      // Matched by type inside the append: three deliveries, none for "other".
      const all = await outbox.list({ limit: 10 });
      assert.deepEqual(all.map((d) => d.eventId).sort(), [stored[0]!.id, stored[2]!.id, stored[3]!.id].sort());
      assert.ok(all.every((d) => d.endpointId === ep.id && d.status === 'pending' && d.webhookId === `msg_${d.eventId}`));
      const claimed = await outbox.claim(ep.id, 2, 30);
      assert.equal(claimed.length, 2);
      assert.deepEqual(await outbox.claim(ep.id, 10, 30).then((c) => c.length), 1, 'a claimed delivery is not due for anyone else during its lease');
      const attempt = { at: now, statusCode: 200, latencyMs: 1, error: null, response: 'ok' };
      for (const d of claimed) await outbox.settle(d.id, 'succeeded', 1, null, attempt, 200, null);
      assert.equal(await outbox.prune(now + 60), 2);
      const left = await outbox.list({ limit: 10 });
      assert.deepEqual(left.map((d) => d.status), ['pending']);
      assert.equal(await outbox.prune(now - 60), 0, 'young deliveries stay');
    } finally {
      await log.close();
    }
  });
});
