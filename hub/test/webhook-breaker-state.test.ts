import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, startHub, startReceiver, waitFor, type Receiver, type TestHub } from '@showwire/testkit';

/**
 * The endpoints answer carries each endpoint's real circuit breaker (this hub's, in memory):
 * closed with no failures at first, open with its next probe time after failures in a row,
 * closed again once the probe is answered.
 */
describe('webhooks: the endpoints answer says the breaker state', () => {
  let hub: TestHub;
  let receiver: Receiver;
  let answer = 500;
  let admin: string;
  let id: string;
  const COOLDOWN_MS = 4000;

  before(async () => {
    receiver = await startReceiver(() => ({ status: answer, body: answer === 200 ? 'ok' : 'down' }));
    hub = await startHub({
      HUB_WEBHOOK_ALLOW_PRIVATE: 'true',
      HUB_WEBHOOK_SCHEDULE: '50,50,50,50,50,50',
      HUB_WEBHOOK_JITTER: '0',
      HUB_WEBHOOK_BREAKER_FAILURES: '3',
      HUB_WEBHOOK_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
    });
    admin = await hub.token('admin');
    const created = await postJson(`${hub.url}/api/webhooks/endpoints`, { url: receiver.url, shows: ['breaker-state'] }, admin);
    assert.equal(created.status, 201);
    id = created.body.id;
    assert.deepEqual(created.body.breaker, { state: 'closed', nextProbeAt: null, consecutiveFailures: 0 });
  });
  after(async () => {
    await hub?.close();
    await receiver?.close();
  });

  const breakerOf = async () => {
    const list = await getJson(`${hub.url}/api/webhooks/endpoints`, admin);
    assert.equal(list.status, 200);
    return list.body.endpoints.find((e: { id: string }) => e.id === id).breaker as { state: string; nextProbeAt: number | null; consecutiveFailures: number };
  };

  it('three failures in a row open it with the next probe time; an answered probe closes it', async () => {
    const posted = await postJson(`${hub.url}/api/shows/breaker-state/events`, Array.from({ length: 5 }, (_, n) => ({ type: 'order', n })), admin);
    assert.equal(posted.status, 201);
    const openedBy = Date.now() / 1000;
    const open = await waitFor('the breaker open', async () => {
      const b = await breakerOf();
      return b.state === 'open' ? b : undefined;
    }, 15_000);
    assert.ok(open.consecutiveFailures >= 3, JSON.stringify(open));
    assert.ok(open.nextProbeAt !== null && open.nextProbeAt > Date.now() / 1000 - 1 && open.nextProbeAt <= Date.now() / 1000 + COOLDOWN_MS / 1000 + 0.5, `next probe within the cooldown: ${JSON.stringify(open)}`);
    assert.ok(open.nextProbeAt >= openedBy, 'the probe comes after the failures');
    // While open, nothing is attempted: the receiver's count holds until the probe time.
    const attempts = receiver.received.length;
    const detail = await getJson(`${hub.url}/api/webhooks/endpoints/${id}`, admin);
    assert.equal(detail.body.breaker.state, 'open', 'GET of one endpoint says the same');
    assert.equal(receiver.received.length, attempts);

    answer = 200;
    const closed = await waitFor('the breaker closed after its probe', async () => {
      const b = await breakerOf();
      return b.state === 'closed' ? b : undefined;
    }, COOLDOWN_MS * 4);
    assert.deepEqual(closed, { state: 'closed', nextProbeAt: null, consecutiveFailures: 0 });
    assert.ok(receiver.received.some((r) => r.status === 200), 'the probe was answered');
  });

  it('the OpenAPI document says the breaker is per hub', async () => {
    const doc = await getJson(`${hub.url}/openapi.json`);
    assert.match(JSON.stringify(doc.body), /per hub, not shared through Redis/);
  });
});
