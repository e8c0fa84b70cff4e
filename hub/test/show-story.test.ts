import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../src/config.js';
import { eventSeq, getJson, postJson, publishAsHub, startHub, type TestHub, waitFor, startReceiver, type Receiver, requestJson } from '@showwire/testkit';

/**
 * The show's story over real HTTP: viewers' cart events, reservations that expire on a short
 * setting, a service's orders in two currencies, and the summary (every figure) that reaches a
 * webhook receiver when the show ends.
 */

const SHOW = 'story-show';
const OTHER = 'story-other';
/** 0.1 minute: reservations live 6 s, long enough for the steps before the expiry check on a loaded box. */
const ENV = { HUB_RESERVATION_MINUTES: '0.1', HUB_WEBHOOK_ALLOW_PRIVATE: 'true', LIVEKIT_URL: 'ws://127.0.0.1:7', LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret' };


describe('cart, reservations, orders and the summary', () => {
  let hub: TestHub;
  let receiver: Receiver;
  let admin: string;
  let agent: string;
  let service: string;
  let alice: string;
  /** Alice's identity, which the hub chose (her participantName is only a display name). */
  let aliceId: string;
  let bob: string;
  let secret: string;
  const products: Record<string, string> = {};
  const T0 = Math.floor(Date.now() / 1000) - 300;

  const publish = async (show: string, events: unknown, token = agent) => {
    const res = await postJson(`${hub.url}/api/shows/${show}/events`, events, token);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.ids as string[];
  };
  const cart = (token: string, body: unknown, show = SHOW) => postJson(`${hub.url}/api/shows/${show}/cart-event`, body, token);
  const quantities = async (show = SHOW) => {
    const res = await getJson(`${hub.url}/api/reservations/quantities?show=${show}`, service);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.quantities;
  };

  before(async () => {
    hub = await startHub(ENV);
    receiver = await startReceiver();
    [admin, agent, service] = await Promise.all([hub.token('admin'), hub.token('agent', [SHOW, OTHER]), hub.token('service', [SHOW, OTHER], 3600, 'shop')]);
    const ep = await requestJson('POST', `${hub.url}/api/webhooks/endpoints`, admin, { url: receiver.url, types: ['show_summary'] });
    assert.equal(ep.status, 201, JSON.stringify(ep.body));
    secret = ep.body.secret;
    // Alice's hub token comes the way a viewer app gets it; Bob's is minted directly.
    const tok = await postJson(`${hub.url}/api/streaming/token`, { roomName: SHOW, participantName: 'alice' });
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    alice = tok.body.hubToken;
    aliceId = tok.body.identity;
    assert.match(aliceId, /^viewer-/);
    bob = await hub.token('viewer', [SHOW], 3600, 'bob');

    await publish(SHOW, [
      { type: 'show_started', title: 'Mug drop', timestamp: T0 },
      { type: 'viewer_joined', viewers: 1, timestamp: T0 + 10 },
      { type: 'viewer_joined', viewers: 3, timestamp: T0 + 20 },
      { type: 'viewer_left', viewers: 2, timestamp: T0 + 40 },
    ]);
    for (const [key, name, price] of [['mug', 'Blue mug', 10], ['tee', 'Tee', 15.5]] as const) {
      const res = await postJson(`${hub.url}/api/shows/${SHOW}/products`, { name, price, currency: 'USD' }, agent);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      products[key] = res.body.product.id;
    }
    assert.equal((await postJson(`${hub.url}/api/shows/${SHOW}/carousel`, { productId: products.mug }, agent)).status, 201);
    await publish(SHOW, [
      { type: 'tool_call', name: 'create_product', durationMs: 40 },
      { type: 'tool_call', name: 'add_product_to_show', durationMs: 30, isError: true },
      { type: 'turn_metrics', e2eMs: 1200 },
      { type: 'turn_metrics', e2eMs: 800 },
      { type: 'turn_metrics', e2eMs: 3000, sttMs: 200 },
    ]);
    // Alerts are the hub's own: written here as its rules would.
    await publishAsHub(hub, SHOW, [
      { type: 'alert_raised', alertId: 'a1', rule: 'latency_high', severity: 'warning', message: 'slow' },
      { type: 'alert_raised', alertId: 'a2', rule: 'agent_error', severity: 'critical', message: 'down' },
    ]);
  });
  after(async () => {
    await hub?.close();
    await receiver?.close();
  });

  it('takes a viewer\'s cart events for itself only, and reserves what it adds', async () => {
    const before = Date.now() / 1000;
    const add = await cart(alice, { productId: products.mug, action: 'add_to_cart', quantity: 2 });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    assert.equal(add.body.reservation.userId, aliceId, 'the user is the token subject');
    assert.equal(add.body.reservation.quantity, 2);
    assert.ok(add.body.reservation.expiresAt >= before + 6 && add.body.reservation.expiresAt <= Date.now() / 1000 + 6, 'held for HUB_RESERVATION_MINUTES');

    const forBob = await cart(alice, { productId: products.mug, action: 'add_to_cart', quantity: 1, userId: 'bob' });
    assert.equal(forBob.status, 403);
    assert.equal(forBob.body.error, 'forbidden');
    assert.match(forBob.body.message, new RegExp(`for itself only: userId "bob" is not this token's subject "${aliceId}"`));
    assert.equal((await cart(alice, { productId: products.mug, action: 'add_to_cart', quantity: 1 }, OTHER)).status, 403, 'a viewer token covers its show only');

    const zero = await cart(bob, { productId: products.tee, action: 'add_to_cart', quantity: 0 });
    assert.equal(zero.status, 400);
    assert.deepEqual(zero.body.issues.map((i: any) => i.path), ['quantity']);
    const badAction = await cart(bob, { productId: products.tee, action: 'buy', quantity: 1 });
    assert.equal(badAction.status, 400);
    assert.match(badAction.body.message, /action/);
    const noUser = await cart(service, { productId: products.tee, action: 'add_to_cart', quantity: 1 });
    assert.equal(noUser.status, 400);
    assert.deepEqual(noUser.body.issues, [{ path: 'userId', message: 'is required when a service posts a cart event' }]);
    assert.equal((await cart(agent, { productId: products.tee, action: 'add_to_cart', quantity: 1, userId: 'x' })).status, 403, 'an agent does not shop');

    assert.equal((await cart(alice, { productId: products.mug, action: 'remove_from_cart', quantity: 1 })).status, 201);
    assert.equal((await cart(bob, { productId: products.tee, action: 'add_to_cart', quantity: 3, userId: 'bob' })).status, 201, 'its own name is fine');
    assert.equal((await cart(service, { productId: products.mug, action: 'add_to_cart', quantity: 1, userId: 'carol' })).status, 201);
    assert.deepEqual(await quantities(), { [products.mug!]: 2, [products.tee!]: 3 });

    // The cart events are stored like any event, with the user the hub decided.
    const history = await getJson(`${hub.url}/api/shows/${SHOW}/events?types=cart_event&limit=100`, admin);
    assert.deepEqual(history.body.events.map((e: any) => [e.userId, e.action, e.quantity]), [
      [aliceId, 'add_to_cart', 2], [aliceId, 'remove_from_cart', 1], ['bob', 'add_to_cart', 3], ['carol', 'add_to_cart', 1],
    ]);
    assert.equal(history.body.events[0].source, `viewer:${aliceId}`);
  });

  it('takes orders from a service only, settles reservations with them, and lets the rest expire', async () => {
    const order = (userId: string, items: unknown[], total: number, currency: string, show = SHOW) => ({ type: 'order_placed', show, orderId: `o-${userId}-${currency}`, userId, items, total, currency });
    const refused = await postJson(`${hub.url}/api/shows/${SHOW}/events`, order('bob', [{ productId: products.tee, quantity: 2, price: 15.5 }], 31, 'USD'), bob);
    assert.equal(refused.status, 403, 'a viewer cannot publish an order');
    await publish(SHOW, order('bob', [{ productId: products.tee, quantity: 2, price: 15.5 }], 31, 'USD'), service);
    await publish(SHOW, order('carol', [{ productId: products.mug, quantity: 1, price: 9.1 }, { productId: 'shop-gift', quantity: 1, price: 0.2 }], 9.3, 'EUR'), service);
    await publish(OTHER, order('dan', [{ productId: 'x', quantity: 1, price: 5 }], 5, 'USD', OTHER), service);
    assert.deepEqual(await quantities(), { [products.mug!]: 1, [products.tee!]: 1 }, 'orders settle the buyers\' reservations');

    const streamRead = await getJson(`${hub.url}/api/shows/${SHOW}/events`, service);
    assert.equal(streamRead.status, 403, 'a service reads nothing');
    assert.match(streamRead.body.message, /role "service" cannot read/);
    for (const path of ['/api/shows', `/api/shows/${SHOW}`, `/api/stream?shows=${SHOW}`, `/api/shows/${SHOW}/summary`]) {
      assert.equal((await getJson(`${hub.url}${path}`, service)).status, 403, `a service reads nothing: ${path}`);
    }

    // Alice's mug and Bob's last tee expire (0.1 minute after their adds).
    await waitFor('reservations to expire', async () => Object.keys(await quantities()).length === 0, 20_000, 200);
    const cleanup = await requestJson('DELETE', `${hub.url}/api/reservations/cleanup`, service);
    assert.equal(cleanup.status, 200, JSON.stringify(cleanup.body));
    assert.deepEqual(cleanup.body, { dropped: 2, items: 2 });
    assert.deepEqual((await requestJson('DELETE', `${hub.url}/api/reservations/cleanup`, service)).body, { dropped: 0, items: 0 });
    assert.equal((await requestJson('DELETE', `${hub.url}/api/reservations/cleanup`, bob)).status, 403);
    const badShow = await getJson(`${hub.url}/api/reservations/quantities?show=no%20such`, service);
    assert.equal(badShow.status, 400);
    assert.deepEqual(badShow.body.issues.map((i: any) => i.path), ['show']);
  });

  it('sums revenue per currency and per show, never across either', async () => {
    const res = await postJson(`${hub.url}/api/shows/batch-revenue`, { showIds: [SHOW, OTHER, 'story-empty'] }, admin);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { revenue: { [SHOW]: { USD: 31, EUR: 9.3 }, [OTHER]: { USD: 5 }, 'story-empty': {} } });
    const bad = await postJson(`${hub.url}/api/shows/batch-revenue`, { showIds: [] }, admin);
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /showIds: name at least one show/);
    const host = await hub.token('host', [SHOW]);
    const notHis = await postJson(`${hub.url}/api/shows/batch-revenue`, { showIds: [SHOW, OTHER] }, host);
    assert.equal(notHis.status, 403);
    assert.match(notHis.body.message, /does not cover show "story-other"/);
  });

  it('answers the summary with every figure, publishes it at show_ended, and a webhook carries it within 5 s', async () => {
    const [endId] = await publish(SHOW, { type: 'show_ended', timestamp: T0 + 60 });
    const endedAt = Date.now();
    const expected = {
      show: SHOW,
      title: 'Mug drop',
      status: 'ended',
      startedAt: T0,
      endedAt: T0 + 60,
      durationSeconds: 60,
      // 1 viewer × 10 s + 3 × 20 s + 2 × 20 s = 110 viewer-seconds over 60 s.
      viewers: { peak: 3, average: Math.round((110 / 60) * 10_000) / 10_000 },
      products: { created: 2, onCarousel: 1 },
      cart: { adds: 6, removes: 1, reserved: 0 },
      orders: { count: 2, revenue: { USD: 31, EUR: 9.3 } },
      perProduct: [
        { productId: products.mug, name: 'Blue mug', adds: 3, removes: 1, orders: 1, revenue: { EUR: 9.1 } },
        { productId: products.tee, name: 'Tee', adds: 3, removes: 0, orders: 2, revenue: { USD: 31 } },
        { productId: 'shop-gift', name: null, adds: 0, removes: 0, orders: 1, revenue: { EUR: 0.2 } },
      ],
      agent: { turns: 3, toolCalls: 2, toolFailures: 1, latencyP50Ms: 1200, latencyP95Ms: 3000 },
      alerts: { raised: 2, critical: 1 },
    };
    const host = await hub.token('host', [SHOW]);
    const res = await getJson(`${hub.url}/api/shows/${SHOW}/summary`, host);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, expected);

    await receiver.until(() => receiver.received.length > 0, 'show_summary webhook', 5_000);
    const got = receiver.received[0]!;
    assert.ok(got.at - endedAt <= 5_000);
    new Webhook(secret).verify(got.body, { 'webhook-id': got.webhookId, 'webhook-timestamp': got.timestamp, 'webhook-signature': got.signature });
    const { id, type, receivedAt: _r, timestamp: _t, source, eventId, ...fields } = got.event;
    assert.equal(type, 'show_summary');
    assert.equal(source, 'admin:summary');
    assert.equal(eventId, `summary:${endId}`);
    assert.ok(eventSeq(id) > eventSeq(endId!), 'the summary comes after show_ended');
    assert.deepEqual(fields, expected);
    assert.equal(receiver.received.length, 1, 'one summary per show_ended');

    const late = await cart(alice, { productId: products.mug, action: 'add_to_cart', quantity: 1 });
    assert.equal(late.status, 409);
    assert.equal(late.body.error, 'show_ended');
    assert.equal((await getJson(`${hub.url}/api/shows/${SHOW}/summary`, bob)).status, 403, 'viewers get no summary');
    const publicState = await getJson(`${hub.url}/api/shows/${SHOW}`, bob);
    assert.equal(publicState.status, 200);
    assert.ok(!('story' in publicState.body) && !JSON.stringify(publicState.body).includes('revenue'), 'nor the figures inside the show state');
    assert.equal((await getJson(`${hub.url}/api/shows/story-none/summary`, admin)).status, 404);
  });

  it('rebuilds the same summary and reservations from the log after a restart', async () => {
    const before = (await getJson(`${hub.url}/api/shows/${SHOW}/summary`, admin)).body;
    const dataDir = hub.dataDir;
    await hub.app.close();
    // The same data dir (and so the same kept secret); this hub's close leaves the dir, so remove it after.
    hub = await startHub({ ...ENV, HUB_DATA_DIR: dataDir });
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const again = await getJson(`${hub.url}/api/shows/${SHOW}/summary`, await hub.token('admin'));
    assert.deepEqual(again.body, before);
    const events = await getJson(`${hub.url}/api/shows/${SHOW}/events?types=show_summary`, await hub.token('admin'));
    assert.equal(events.body.events.length, 1, 'a restart does not publish the summary again');
  });
});

describe('reservation settings', () => {
  it('refuses a reservation time that is not a positive number of minutes, naming the variable', () => {
    for (const bad of ['0', '-1', 'soon']) {
      assert.throws(() => loadConfig({ HUB_RESERVATION_MINUTES: bad }), /HUB_RESERVATION_MINUTES: /);
    }
    assert.equal(loadConfig({ HUB_RESERVATION_MINUTES: '0.5' }).HUB_RESERVATION_MINUTES, 0.5);
  });

  it('the cleanup timer drops expired reservations by itself', async () => {
    const hub = await startHub({ HUB_RESERVATION_MINUTES: '0.01', HUB_RESERVATION_CLEANUP_SECONDS: '1', HUB_LOG_LEVEL: 'debug' });
    try {
      const service = await hub.token('service', ['timer-show']);
      const add = await postJson(`${hub.url}/api/shows/timer-show/cart-event`, { productId: 'p', action: 'add_to_cart', quantity: 4, userId: 'u' }, service);
      assert.equal(add.status, 201, JSON.stringify(add.body));
      // 0.6 s to expire, then the next sweep (every second) drops it and says so at debug level.
      await waitFor('the sweep to drop the expired line', () => /"dropped":1,"msg":"expired reservations dropped"/.test(hub.logs()), 20_000, 100);
      const res = await fetch(`${hub.url}/api/reservations/cleanup`, { method: 'DELETE', headers: { authorization: `Bearer ${service}` } });
      assert.deepEqual(await res.json(), { dropped: 0, items: 0 }, 'nothing left for the explicit cleanup');
    } finally {
      await hub.close();
    }
  });
});
