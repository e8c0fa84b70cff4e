import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { postJson, startHub, type TestHub, startLiveKit, type LiveKitServer, metricValue, readMetrics, waitFor } from '@showwire/testkit';

const ROOM = 'show-relay-1';
const product = (id: string) => ({ type: 'product_created', product: { id, name: `Mug ${id}`, price: 12.5, currency: 'EUR' } });

describe('room relay: stored events reach in-room participants on the data channel', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  let admin: string;
  let room: Room;

  before(async () => {
    lk = await startLiveKit();
    hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret });
    admin = await hub.token('admin');
  });

  after(async () => {
    await room?.disconnect().catch(() => {});
    await hub?.close();
    await lk?.stop();
    await dispose();
  });

  it('sends the relayed types, as stored, in order, on topic showwire.events; other types stay out', async () => {
    const at = new AccessToken(lk.apiKey, lk.apiSecret, { identity: 'shopper-app' });
    at.addGrant({ room: ROOM, roomJoin: true, canSubscribe: true, canPublish: false });
    room = new Room();
    const got: Array<{ topic?: string; body: any; from?: string }> = [];
    room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
      got.push({ topic, body: JSON.parse(new TextDecoder().decode(payload)), from: participant?.identity });
    });
    await room.connect(lk.url, await at.toJwt(), { autoSubscribe: false, dynacast: false });

    const first = await postJson(`${hub.url}/api/shows/${ROOM}/events`, product('p1'), admin);
    assert.equal(first.status, 201);
    const transcript = await postJson(`${hub.url}/api/shows/${ROOM}/events`, { type: 'transcript', text: 'not for the room', role: 'agent' }, admin);
    assert.equal(transcript.status, 201);
    const added = await postJson(`${hub.url}/api/shows/${ROOM}/events`, { type: 'product_added_to_show', productId: 'p1' }, admin);
    assert.equal(added.status, 201);

    await waitFor('two relayed events in the room', () => got.length >= 2, 20_000);
    // A moment for anything that should not come (the transcript) to show up after all.
    const settle = await postJson(`${hub.url}/api/shows/${ROOM}/events`, { type: 'viewer_joined', viewers: 3 }, admin);
    await waitFor('the third relayed event', () => got.length >= 3, 20_000);

    assert.deepEqual(
      got.map((g) => [g.topic, g.body.type, g.body.id]),
      [
        ['showwire.events', 'product_created', first.body.ids[0]],
        ['showwire.events', 'product_added_to_show', added.body.ids[0]],
        ['showwire.events', 'viewer_joined', settle.body.ids[0]],
      ],
    );
    // The same flat JSON as SSE and webhooks.
    assert.equal(got[0]!.body.show, ROOM);
    assert.deepEqual(got[0]!.body.product, product('p1').product);
    assert.equal(got[0]!.body.source, 'admin:admin-test');

    const metrics = await readMetrics(hub.url, await hub.token('staff'));
    assert.equal(metricValue(metrics, 'showwire_room_relay_sent_total'), 3);
    assert.equal(metricValue(metrics, 'showwire_room_relay_dropped_total', { reason: 'send_failed' }), 0);
  });

  it('a show with no LiveKit room is skipped quietly: counted as no_room, not as a failure, then not asked again for a while', async () => {
    const staff = await hub.token('staff');
    assert.equal((await postJson(`${hub.url}/api/shows/show-without-room/events`, product('p9'), admin)).status, 201);
    await waitFor('the event to be dropped', async () => metricValue(await readMetrics(hub.url, staff), 'showwire_room_relay_dropped_total', { reason: 'no_room' }) === 1);
    // Right after, the same show's next event is dropped at once, without a LiveKit round trip.
    assert.equal((await postJson(`${hub.url}/api/shows/show-without-room/events`, product('p10'), admin)).status, 201);
    const metrics = await readMetrics(hub.url, staff);
    assert.equal(metricValue(metrics, 'showwire_room_relay_dropped_total', { reason: 'no_room' }), 2);
    assert.equal(metricValue(metrics, 'showwire_room_relay_dropped_total', { reason: 'send_failed' }), 0);
    assert.equal(metricValue(metrics, 'showwire_room_relay_queue_depth'), 0);
    assert.doesNotMatch(hub.logs(), /room relay/);
  });
});

describe('room relay: a LiveKit that does not answer never slows ingest', () => {
  it('answers every ingest while the one send hangs, drops past the queue bound, counts failed sends', async () => {
    // A "LiveKit" that accepts connections and never answers: the relay's first send hangs.
    const sockets: Socket[] = [];
    const blackhole = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as { port: number }).port;
    const hub = await startHub({
      HUB_LOG_LEVEL: 'warn',
      LIVEKIT_URL: `ws://127.0.0.1:${port}`,
      LIVEKIT_API_KEY: 'devkey',
      LIVEKIT_API_SECRET: 'secret',
      LIVEKIT_TIMEOUT_MS: '120000',
      HUB_ROOM_RELAY_QUEUE: '5',
    });
    try {
      const admin = await hub.token('admin');
      const staff = await hub.token('staff');
      for (let i = 0; i < 20; i++) {
        const res = await postJson(`${hub.url}/api/shows/${ROOM}/events`, product(`q${i}`), admin);
        assert.equal(res.status, 201, `event ${i}: ${JSON.stringify(res.body)}`);
      }
      // All 20 were acknowledged while the first send is still waiting on the dead LiveKit.
      await waitFor('the relay to reach the blackhole', () => sockets.length >= 1);
      let metrics = await readMetrics(hub.url, staff);
      assert.equal(metricValue(metrics, 'showwire_room_relay_sent_total'), 0);
      assert.equal(metricValue(metrics, 'showwire_room_relay_queue_depth'), 5);
      assert.equal(metricValue(metrics, 'showwire_room_relay_dropped_total', { reason: 'queue_full' }), 14);

      // LiveKit goes away for good: the hanging send fails, then each queued one (connection refused).
      await new Promise<void>((r) => {
        blackhole.close(() => r());
        for (const s of sockets) s.destroy();
      });
      metrics = await waitFor('the queued sends to fail', async () => {
        const m = await readMetrics(hub.url, staff);
        return metricValue(m, 'showwire_room_relay_dropped_total', { reason: 'send_failed' }) === 6 && m;
      });
      assert.equal(metricValue(metrics, 'showwire_room_relay_queue_depth'), 0);
      assert.equal(metricValue(metrics, 'showwire_events_in_total'), 20);
      assert.match(hub.logs(), /room relay: LiveKit did not take an event/);
    } finally {
      await hub.close();
      blackhole.close();
    }
  });
});
