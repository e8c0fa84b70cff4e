import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventLog, NewEvent } from '../../src/log/event-log.js';
import { decideOutcome, type AttemptAnswer } from '../../src/webhooks/outcome.js';
import type { DueDelivery, Settlement, WebhookStore } from '../../src/webhooks/store.js';

/**
 * The contract every WebhookStore keeps (SQLite, Redis): run it with a factory that opens a fresh
 * log with its webhook store (the outbox hook in place).
 */
export function webhookStoreConformance(name: string, factory: () => Promise<{ log: EventLog; store: WebhookStore; cleanup: () => Promise<void> }>) {
  const now = () => Date.now() / 1000;
  const ev = (show: string, type: string): NewEvent => ({ type, show, source: 'agent:test', timestamp: now(), receivedAt: now() });
  const policy = { schedule: [60, 600], jitter: 0, disableAfterSeconds: 3600 };
  const settlement = (d: DueDelivery, a: AttemptAnswer, at: number, failingSince: number | null): Settlement => ({
    delivery: d,
    attempt: { at, statusCode: a.statusCode, latencyMs: 3, error: a.error, response: 'r' },
    outcome: decideOutcome(a, { at, attempts: d.attempts + 1, failingSince }, policy, () => 0),
  });
  const ok: AttemptAnswer = { statusCode: 200, retryAfter: null, error: null };
  const err: AttemptAnswer = { statusCode: 500, retryAfter: null, error: null };
  const endpoint = (store: WebhookStore, filters: { types?: string[]; shows?: string[] } = {}) =>
    store.createEndpoint({ url: 'http://127.0.0.1:9/hook', description: 'd', secret: 'whsec_x', enabled: true, ...filters });
  const use = (body: (ctx: { log: EventLog; store: WebhookStore }) => Promise<void>) => async () => {
    const { log, store, cleanup } = await factory();
    try {
      await body({ log, store });
    } finally {
      await cleanup();
    }
  };

  describe(`WebhookStore conformance: ${name}`, () => {
    it('writes one delivery per matching enabled endpoint with each appended event', use(async ({ log, store }) => {
      const byType = await endpoint(store, { types: ['keep'] });
      const byShow = await endpoint(store, { shows: ['s2'] });
      const off = await endpoint(store);
      await store.updateEndpoint(off.id, { enabled: false });
      const stored = await log.append([ev('s1', 'keep'), ev('s1', 'other'), ev('s2', 'other'), ev('s2', 'keep')]);
      const all = await store.list({ limit: 50 });
      const pairs = all.map((d) => `${d.endpointId === byType.id ? 'type' : d.endpointId === byShow.id ? 'show' : 'off'}:${d.eventId}`).sort();
      assert.deepEqual(pairs, [`show:${stored[2]!.id}`, `show:${stored[3]!.id}`, `type:${stored[0]!.id}`, `type:${stored[3]!.id}`].sort());
      for (const d of all) {
        assert.equal(d.status, 'pending');
        assert.equal(d.webhookId, `msg_${d.eventId}`);
        assert.equal(JSON.parse((await store.payload(d.id))!).id, d.eventId);
      }
      assert.deepEqual(all.map((d) => Number(d.id)), all.map((d) => Number(d.id)).sort((a, b) => b - a), 'newest first');
      assert.equal((await store.list({ endpoint: byShow.id, limit: 50 })).length, 2);
      assert.equal((await store.stats()).depth, 4);
    }));

    it('an endpoint change is seen by the very next append (made, filtered, disabled)', use(async ({ log, store }) => {
      await log.append([ev('s', 'a')]);
      const ep = await endpoint(store);
      const [first] = await log.append([ev('s', 'a')]);
      assert.deepEqual((await store.list({ limit: 10 })).map((d) => d.eventId), [first!.id]);
      await store.updateEndpoint(ep.id, { types: ['b'] });
      const [, second] = await log.append([ev('s', 'a'), ev('s', 'b')]);
      assert.deepEqual((await store.list({ limit: 10 })).map((d) => d.eventId), [second!.id, first!.id]);
      await store.updateEndpoint(ep.id, { enabled: false });
      await log.append([ev('s', 'b')]);
      assert.equal((await store.list({ limit: 10 })).length, 2);
    }));

    it('leases a claimed delivery: no one claims it again until it is settled or given back', use(async ({ log, store }) => {
      const ep = await endpoint(store);
      await log.append([ev('s', 'a'), ev('s', 'b'), ev('s', 'c')]);
      const t = now() + 1;
      assert.deepEqual(await store.dueOf([ep.id], t, 10), [{ due: 3, nextAt: undefined }]);
      assert.equal((await store.dueOf([ep.id], t, 2))[0]!.due, 2, 'counted up to what was asked');
      const first = await store.claim(ep.id, 2, t, 30);
      assert.equal((await store.dueOf([ep.id], t, 1))[0]!.due, 1, 'past the claimed ones');
      assert.deepEqual(first.map((d) => JSON.parse(d.payload).type), ['a', 'b'], 'oldest first');
      const rest = await store.claim(ep.id, 10, t, 30);
      assert.deepEqual(rest.map((d) => JSON.parse(d.payload).type), ['c']);
      assert.equal((await store.dueOf([ep.id], t, 10))[0]!.due, 0);
      await store.unclaim([rest[0]!]);
      assert.deepEqual((await store.claim(ep.id, 10, t, 30)).map((d) => d.id), [rest[0]!.id], 'given back: due again');
    }));

    it('settles through the outcome: success, a retry at its time, the endpoint failing and then disabled', use(async ({ log, store }) => {
      const ep = await endpoint(store);
      await log.append([ev('s', 'a'), ev('s', 'b'), ev('s', 'c')]);
      const t = now();
      const [a, b, c] = await store.claim(ep.id, 3, t + 1, 30);
      assert.deepEqual(await store.settle([settlement(a!, ok, t, null), settlement(b!, err, t, null)]), []);
      assert.equal((await store.get(a!.id))!.status, 'succeeded');
      const retry = (await store.get(b!.id))!;
      assert.deepEqual([retry.status, retry.attempts, retry.nextAttemptAt, retry.lastStatusCode, retry.lastError], ['pending', 1, t + 60, 500, 'HTTP 500']);
      assert.deepEqual((await store.attempts(b!.id)).map((x) => x.statusCode), [500]);
      assert.equal((await store.getEndpoint(ep.id))!.failingSince, t, 'the failure clock started');
      // Not due before its retry time (nor is c during its lease: the next time is either).
      const [later] = await store.dueOf([ep.id], t + 30, 10);
      assert.equal(later!.due, 0);
      assert.ok(later!.nextAt! > t + 30 && later!.nextAt! <= t + 60);
      // An hour of failures later the endpoint is disabled, and its queue fails with it.
      const disabled = await store.settle([settlement(c!, err, t + 3600, t)]);
      assert.deepEqual(disabled.map((e) => [e.id, e.enabled, e.disabledReason]), [[ep.id, false, 'failing']]);
      assert.deepEqual([(await store.get(b!.id))!.status, (await store.get(c!.id))!.status], ['failed', 'failed']);
      assert.equal((await store.list({ status: 'pending', limit: 10 })).length, 0);
    }));

    it('a success stops the failure clock; 410 disables the endpoint', use(async ({ log, store }) => {
      const ep = await endpoint(store);
      await log.append([ev('s', 'a'), ev('s', 'b'), ev('s', 'c')]);
      const t = now();
      const [a, b, c] = await store.claim(ep.id, 3, t + 1, 30);
      await store.settle([settlement(a!, err, t, null)]);
      await store.settle([settlement(b!, ok, t + 1, t)]);
      assert.equal((await store.getEndpoint(ep.id))!.failingSince, null);
      const disabled = await store.settle([settlement(c!, { statusCode: 410, retryAfter: null, error: null }, t + 2, null)]);
      assert.deepEqual(disabled.map((e) => e.disabledReason), ['gone']);
      assert.equal((await store.get(a!.id))!.status, 'failed', 'the pending retry failed with the endpoint');
    }));

    it('a probe is the preferred delivery whatever its due time, else the earliest; the backlog is released in message order', use(async ({ log, store }) => {
      const ep = await endpoint(store);
      await log.append([ev('s', 'a'), ev('s', 'b'), ev('s', 'c'), ev('s', 'd')]);
      const t = now();
      const [a, b, c] = await store.claim(ep.id, 3, t + 1, 30);
      await store.settle([a, b, c].map((d) => settlement(d!, err, t, null)));
      // b waits 60 s for its retry; the probe takes it at once.
      const probe = await store.claimProbe(ep.id, b!.id, t + 1, 30);
      assert.equal(probe?.id, b!.id);
      assert.equal(probe?.attempts, 1);
      const fallback = await store.claimProbe(ep.id, b!.id, t + 1, 30);
      assert.equal(fallback?.id !== b!.id && fallback !== undefined, true, 'a claimed delivery is not probed twice');
      await store.unclaim([fallback!]);
      await store.settle([settlement(probe, ok, t + 2, t)]);
      // a and c wait for their retries (60 s); d was never tried. Released: a, c, d due now, in order.
      assert.equal((await store.dueOf([ep.id], t + 2, 10))[0]!.due, 1);
      assert.equal(await store.releaseBacklog(ep.id, t + 2), 2);
      const due = await store.claim(ep.id, 10, t + 3, 30);
      assert.deepEqual(due.map((d) => JSON.parse(d.payload).type), ['a', 'c', 'd']);
      assert.equal(await store.releaseBacklog(ep.id, t + 3), 0, 'claimed deliveries stay leased');
    }));

    it('redelivers one, recovers the failed since a time, prunes settled ones only', use(async ({ log, store }) => {
      const ep = await endpoint(store);
      await log.append([ev('s', 'a'), ev('s', 'b')]);
      const t = now();
      const [a, b] = await store.claim(ep.id, 2, t + 1, 30);
      const final = { ...policy, schedule: [] };
      const fail = (d: DueDelivery): Settlement => ({ ...settlement(d, err, t, null), outcome: decideOutcome(err, { at: t, attempts: 1, failingSince: null }, final) });
      await store.settle([settlement(a!, ok, t, null), fail(b!)]);
      assert.equal((await store.get(b!.id))!.status, 'failed');
      assert.equal(await store.recover(ep.id, t - 60, t + 1), 1);
      assert.deepEqual([(await store.get(b!.id))!.status, (await store.get(b!.id))!.attempts], ['pending', 0]);
      assert.equal(await store.redeliver(a!.id, t + 1), true);
      assert.equal((await store.get(a!.id))!.status, 'pending');
      assert.equal(await store.redeliver('999999', t), false);
      const test = await store.enqueueMessage(ep.id, 'msg_test_1', 'webhook_test', '{"id":"msg_test_1"}', t);
      assert.deepEqual([test.webhookId, test.eventId, test.status], ['msg_test_1', null, 'pending']);
      const [x] = await store.claim(ep.id, 1, t + 2, 30);
      await store.settle([settlement(x!, ok, t + 2, null)]);
      assert.equal(await store.prune(t - 60), 0, 'young deliveries stay');
      assert.equal(await store.prune(t + 60), 1, 'only the settled one goes');
      assert.equal((await store.list({ limit: 10 })).length, 2);
      assert.equal(await store.get('nope'), undefined);
    }));

    it('disabling by hand fails the queue; deleting forgets the endpoint and its deliveries', use(async ({ log, store }) => {
      const ep = await endpoint(store);
      await log.append([ev('s', 'a')]);
      const off = await store.updateEndpoint(ep.id, { enabled: false, description: 'paused' });
      assert.deepEqual([off!.enabled, off!.description, off!.disabledReason], [false, 'paused', 'manual']);
      assert.equal((await store.list({ limit: 10 }))[0]!.status, 'failed');
      assert.equal(await store.removeEndpoint(ep.id), true);
      assert.equal(await store.getEndpoint(ep.id), undefined);
      assert.deepEqual(await store.list({ limit: 10 }), []);
      assert.equal(await store.removeEndpoint(ep.id), false);
    }));
  });
}
