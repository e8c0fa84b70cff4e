import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { guardedLookup, isPrivateAddress } from '../src/webhooks/ssrf-guard.js';
import { getJson, postJson, startHub, type TestHub, waitFor as waitUntil, startReceiver, type Receiver, requestJson } from '@showwire/testkit';

const waitFor = <T>(probe: () => Promise<T | undefined | false>, what: string, ms = 60_000) => waitUntil(what, probe, ms, 50);

// The circuit breaker pauses an endpoint after 5 failures in a row; these tests are about retries, so it pauses briefly.
const FAST = { HUB_WEBHOOK_ALLOW_PRIVATE: 'true', HUB_WEBHOOK_SCHEDULE: '50,50,50,50,50', HUB_WEBHOOK_JITTER: '0', HUB_WEBHOOK_BREAKER_COOLDOWN_MS: '100' };



describe('webhooks', () => {
  let hub: TestHub;
  let admin: string;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const createEndpoint = async (body: Record<string, unknown>) => {
    const res = await requestJson('POST', `${hub.url}/api/webhooks/endpoints`, admin, body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; secret: string };
  };
  const publish = async (show: string, events: unknown) => {
    const res = await postJson(`${hub.url}/api/shows/${show}/events`, events, await hub.token('agent', ['*']));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.ids as string[];
  };
  const delivery = async (id: string) => (await requestJson('GET', `${hub.url}/api/webhooks/deliveries/${id}`, admin)).body;
  const deliveriesOf = async (endpoint: string) =>
    (await requestJson('GET', `${hub.url}/api/webhooks/deliveries?endpoint=${endpoint}&limit=1000`, admin)).body.deliveries as any[];

  before(async () => {
    hub = await startHub(FAST);
    admin = await hub.token('admin');
  });
  after(async () => {
    await hub.close();
    for (const r of receivers) await r.close();
  });

  it('signs per Standard Webhooks: the standardwebhooks package verifies, a tampered body does not', async () => {
    const r = await receiver();
    const ep = await createEndpoint({ url: r.url, description: 'shop', shows: ['sig-show'] });
    assert.match(ep.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    const [id] = await publish('sig-show', { type: 'product_created', product: { id: 'p1', name: 'Mug', price: 12, currency: 'EUR' } });
    await r.until(() => r.received.length === 1, 'the event');
    const got = r.received[0]!;
    const verified = new Webhook(ep.secret).verify(got.body, got.headers as Record<string, string>) as any;
    assert.equal(verified.id, id);
    assert.equal(verified.type, 'product_created');
    assert.equal(verified.product.name, 'Mug');
    assert.equal(got.webhookId, `msg_${id}`);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.ok(Math.abs(Number(got.timestamp) - Date.now() / 1000) < 300, 'webhook-timestamp is now, in seconds');
    assert.throws(() => new Webhook(ep.secret).verify(got.body.replace('Mug', 'Cup'), got.headers as Record<string, string>), /signature/i);

    // Rotation: during the grace period both secrets verify; the old one alone stops after it.
    const rotated = await requestJson('POST', `${hub.url}/api/webhooks/endpoints/${ep.id}/rotate-secret`, admin, { graceSeconds: 3600 });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, ep.secret);
    await publish('sig-show', { type: 'show_started' });
    await r.until(() => r.received.length === 2, 'the event after rotation');
    const second = r.received[1]!;
    assert.equal(second.signature.split(' ').length, 2);
    for (const secret of [ep.secret, rotated.body.secret]) new Webhook(secret).verify(second.body, second.headers as Record<string, string>);
    await requestJson('POST', `${hub.url}/api/webhooks/endpoints/${ep.id}/rotate-secret`, admin, { graceSeconds: 0 });

    // A test message goes to this endpoint only, signed the same way.
    const test = await requestJson('POST', `${hub.url}/api/webhooks/endpoints/${ep.id}/test`, admin);
    assert.equal(test.status, 202);
    await r.until(() => r.received.length === 3, 'the test message');
    const secret = (await requestJson('GET', `${hub.url}/api/webhooks/endpoints/${ep.id}/secret`, admin)).body.secret;
    const t = new Webhook(secret).verify(r.received[2]!.body, r.received[2]!.headers as Record<string, string>) as any;
    assert.equal(t.type, 'webhook_test');
    assert.equal(r.received[2]!.webhookId, test.body.webhookId);
  });

  it('a receiver that fails 3 times then succeeds gets the event once as success, with the same webhook-id', async () => {
    const r = await receiver((_req, i) => (i < 3 ? { status: 500, body: `boom ${i}` } : { status: 200, body: 'thanks' }));
    const ep = await createEndpoint({ url: r.url, shows: ['retry-show'] });
    const [id] = await publish('retry-show', { type: 'show_started' });
    await r.until(() => r.received.length === 4, 'four attempts');
    const [d] = await deliveriesOf(ep.id);
    const done = await waitFor(async () => {
      const x = await delivery(d.id);
      return x.status === 'succeeded' && x;
    }, 'the delivery to settle');
    // A later event is a barrier: once it arrived, nothing more for the first one is coming.
    const [barrier] = await publish('retry-show', { type: 'show_ended' });
    await r.until(() => r.received.some((x) => x.event.id === barrier), 'the barrier');
    const first = r.received.filter((x) => x.event.id === id);
    assert.deepEqual(first.map((x) => x.status), [500, 500, 500, 200]);
    assert.deepEqual(new Set(first.map((x) => x.webhookId)), new Set([`msg_${id}`]));
    assert.equal(done.attempts, 4);
    assert.deepEqual(done.attemptLog.map((a: any) => a.statusCode), [500, 500, 500, 200]);
    assert.deepEqual(done.attemptLog.map((a: any) => a.response), ['boom 0', 'boom 1', 'boom 2', 'thanks']);
    assert.ok(done.attemptLog.every((a: any) => typeof a.latencyMs === 'number' && typeof a.at === 'number'));
    const metrics = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).text();
    assert.match(metrics, /showwire_webhook_deliveries_total\{outcome="retrying"\} [3-9]/);
    assert.match(metrics, /showwire_webhook_queue_depth \d+/);
    assert.match(metrics, /showwire_webhook_oldest_pending_age_seconds \d/);
  });

  it('filters by type and by show hold', async () => {
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    const byType = await createEndpoint({ url: a.url, types: ['product_created'] });
    const byShow = await createEndpoint({ url: b.url, shows: ['filter-b'] });
    const both = await createEndpoint({ url: c.url, types: ['show_started'], shows: ['filter-a'] });
    const product = { type: 'product_created', product: { id: 'p', name: 'Hat', price: 5, currency: 'EUR' } };
    const inA = await publish('filter-a', [product, { type: 'show_started' }, { type: 'show_ended' }]);
    const inB = await publish('filter-b', [product, { type: 'show_started' }]);
    // The outbox rows are written with the events, so they are there as soon as the POST answered.
    const want = { [byType.id]: [inA[0], inB[0]], [byShow.id]: inB, [both.id]: [inA[1]] };
    for (const [ep, ids] of Object.entries(want)) {
      assert.deepEqual((await deliveriesOf(ep)).map((d) => d.eventId).sort(), [...ids].sort(), `deliveries of ${ep}`);
    }
    for (const [r, ids] of [[a, want[byType.id]], [b, want[byShow.id]], [c, want[both.id]]] as const) {
      await r.until(() => r.received.length >= ids!.length, 'the matching events');
      assert.deepEqual(r.received.map((x) => x.event.id).sort(), [...ids!].sort());
    }
  });

  it('410 Gone disables the endpoint and publishes webhook_endpoint_disabled', async () => {
    const r = await receiver(() => ({ status: 410 }));
    const ep = await createEndpoint({ url: r.url, shows: ['gone-show'], description: 'old CRM' });
    await publish('gone-show', { type: 'show_started' });
    const disabled = await waitFor(async () => {
      const e = (await requestJson('GET', `${hub.url}/api/webhooks/endpoints/${ep.id}`, admin)).body;
      return !e.enabled && e;
    }, 'the endpoint to be disabled');
    assert.equal(disabled.disabledReason, 'gone');
    assert.equal(r.received.length, 1, 'a 410 is not retried');
    const notice = await waitFor(async () => {
      const page = await getJson(`${hub.url}/api/shows/default/events?types=webhook_endpoint_disabled&limit=1000`, admin);
      return page.body.events.find((e: any) => e.endpointId === ep.id);
    }, 'the webhook_endpoint_disabled event');
    assert.equal(notice.reason, 'gone');
    assert.equal(notice.description, 'old CRM');
    const [later] = await publish('gone-show', { type: 'show_ended' });
    assert.ok(!(await deliveriesOf(ep.id)).some((d) => d.eventId === later), 'a disabled endpoint gets no new deliveries');
    const enabled = await requestJson('POST', `${hub.url}/api/webhooks/endpoints/${ep.id}/enable`, admin);
    assert.equal(enabled.body.enabled, true);
    assert.equal(enabled.body.disabledReason, null);
  });

  it('honours Retry-After on 429 and 503', async () => {
    const r = await receiver((_req, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : i === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    await createEndpoint({ url: r.url, shows: ['slow-show'] });
    await publish('slow-show', { type: 'show_started' });
    await r.until(() => r.received.length === 3, 'three attempts');
    const [first, second, third] = r.received.map((x) => x.at);
    // The fast test schedule waits 50 ms: these gaps can only come from Retry-After.
    assert.ok(second! - first! >= 1900, `waited ${second! - first!} ms after "Retry-After: 2"`);
    assert.ok(third! - second! >= 900, `waited ${third! - second!} ms after "Retry-After: 1"`);
    assert.deepEqual(r.received.map((x) => x.status), [429, 503, 200]);
  });

  it('never follows redirects: a 3xx is a failed attempt', async () => {
    const target = await receiver();
    const r = await receiver(() => ({ status: 302, headers: { location: target.url } }));
    const ep = await createEndpoint({ url: r.url, shows: ['redirect-show'] });
    await publish('redirect-show', { type: 'show_started' });
    const [d] = await deliveriesOf(ep.id);
    const failed = await waitFor(async () => {
      const x = await delivery(d.id);
      return x.status === 'failed' && x;
    }, 'the schedule to run out');
    assert.equal(failed.attempts, 6, 'first attempt + 5 retries of the test schedule');
    assert.ok(failed.attemptLog.every((a: any) => a.statusCode === 302));
    assert.equal(target.received.length, 0);

    // Redeliver one, then recover everything failed since a time: same webhook-id each time.
    r.respondWith(() => ({ status: 200 }));
    const again = await requestJson('POST', `${hub.url}/api/webhooks/deliveries/${d.id}/redeliver`, admin);
    assert.equal(again.status, 202);
    await waitFor(async () => (await delivery(d.id)).status === 'succeeded', 'the redelivery');
    assert.equal(r.received.at(-1)!.webhookId, d.webhookId);
    r.respondWith(() => ({ status: 500 }));
    // Not show_ended: the hub would answer it with a show_summary, a second failure to recover.
    const [e2] = await publish('redirect-show', { type: 'show_metadata', title: 'Second' });
    await waitFor(async () => (await deliveriesOf(ep.id)).find((x) => x.eventId === e2 && x.status === 'failed'), 'the second to fail');
    r.respondWith(() => ({ status: 200 }));
    const recovered = await requestJson('POST', `${hub.url}/api/webhooks/endpoints/${ep.id}/recover`, admin, { since: new Date(Date.now() - 60_000).toISOString() });
    assert.deepEqual(recovered.body, { requeued: 1 });
    await r.until(() => r.received.some((x) => x.event.id === e2 && x.status === 200), 'the recovered delivery');
  });

  it('keeps at most HUB_WEBHOOK_ENDPOINT_CONCURRENCY (8) requests in flight to one endpoint', async () => {
    let open = 0;
    let peak = 0;
    let done = 0;
    const server = createServer((req, res) => {
      open++;
      peak = Math.max(peak, open);
      req.resume();
      // Answer only when the hub has had the chance to open more: a cap it breaks shows in `peak`.
      setTimeout(() => {
        open--;
        done++;
        res.writeHead(200).end();
      }, 100);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await createEndpoint({ url, shows: ['busy-show'] });
      await publish('busy-show', Array.from({ length: 40 }, () => ({ type: 'show_started' })));
      await waitFor(async () => done === 40, 'all 40 deliveries');
      assert.equal(peak, 8);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('the API is admin only and validates its bodies', async () => {
    const staff = await hub.token('staff');
    const res = await requestJson('GET', `${hub.url}/api/webhooks/endpoints`, staff);
    assert.equal(res.status, 403);
    assert.match(res.body.message, /roles admin; the token's role is "staff"/);
    const bad = await requestJson('POST', `${hub.url}/api/webhooks/endpoints`, admin, { url: 'ftp://x', types: ['Bad Type'] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /url/);
    assert.match(bad.body.message, /types/);
    const missing = await requestJson('GET', `${hub.url}/api/webhooks/endpoints/ep_nope`, admin);
    assert.equal(missing.status, 404);
    assert.match(missing.body.message, /ep_nope/);
  });
});

describe('webhooks: endpoints failing for days', () => {
  it('are disabled, and webhook_endpoint_disabled is published', async () => {
    // 0.00002 days is about 1.7 s: the schedule's many 200 ms retries cross it.
    const hub = await startHub({ ...FAST, HUB_WEBHOOK_SCHEDULE: Array(40).fill('200').join(','), HUB_WEBHOOK_DISABLE_AFTER_DAYS: '0.00002', HUB_AUTH: 'off' });
    const r = await startReceiver(() => ({ status: 500 }));
    try {
      const ep = (await postJson(`${hub.url}/api/webhooks/endpoints`, { url: r.url, types: ['show_started'] })).body;
      await postJson(`${hub.url}/api/shows/fail-show/events`, { type: 'show_started' });
      const e = await waitFor(async () => {
        const x = (await getJson(`${hub.url}/api/webhooks/endpoints/${ep.id}`)).body;
        return !x.enabled && x;
      }, 'the endpoint to be disabled');
      assert.equal(e.disabledReason, 'failing');
      // The notice is published as the endpoint is disabled, and readable once its append is durable.
      const notice = await waitFor(async () => {
        const page = await getJson(`${hub.url}/api/shows/default/events?types=webhook_endpoint_disabled`);
        return page.body.events.find((x: any) => x.endpointId === ep.id);
      }, 'the webhook_endpoint_disabled notice');
      assert.equal(notice.reason, 'failing');
      assert.equal(typeof notice.failingSince, 'number');
      const deliveries = (await getJson(`${hub.url}/api/webhooks/deliveries?endpoint=${ep.id}`)).body.deliveries;
      assert.deepEqual(deliveries.map((d: any) => d.status), ['failed'], 'its queue is failed, to recover after enabling');
    } finally {
      await hub.close();
      await r.close();
    }
  });
});

describe('webhooks: SSRF guard (HUB_WEBHOOK_ALLOW_PRIVATE off)', () => {
  it('refuses endpoints on loopback, private and link-local addresses', async () => {
    const hub = await startHub({ HUB_AUTH: 'off' });
    try {
      for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://169.254.169.254/latest', 'http://10.1.2.3/', 'http://[::1]/', 'http://192.168.0.10/']) {
        const res = await postJson(`${hub.url}/api/webhooks/endpoints`, { url });
        assert.equal(res.status, 400, url);
        assert.equal(res.body.error, 'webhook_url_refused', url);
        assert.match(res.body.message, /private, loopback or link-local address/, url);
        assert.match(res.body.message, /HUB_WEBHOOK_ALLOW_PRIVATE/, url);
      }
      assert.deepEqual((await getJson(`${hub.url}/api/webhooks/endpoints`)).body.endpoints, []);
      // A public address literal is accepted (never contacted here: nothing is published).
      const ok = await postJson(`${hub.url}/api/webhooks/endpoints`, { url: 'https://93.184.215.14/hook', types: ['never_sent'] });
      assert.equal(ok.status, 201);
      // Changing an endpoint's URL goes through the same guard.
      const patched = await fetch(`${hub.url}/api/webhooks/endpoints/${ok.body.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'http://127.0.0.2/' }),
      });
      assert.equal(patched.status, 400);
      assert.equal((await patched.json()).error, 'webhook_url_refused');
    } finally {
      await hub.close();
    }
  });

  it('classifies addresses, and the delivery sockets\' lookup refuses names that resolve to private ones', async () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['93.184.215.14', '8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
    const err = await new Promise<Error | null>((resolve) => guardedLookup('localhost', {}, (e) => resolve(e)));
    assert.match(String(err?.message), /"localhost" resolves to .*private, loopback or link-local/);
  });
});
