import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { SHOW_ID_MAX_LENGTH } from '@showwire/protocol';
import { getJson, postJson, startHub, type TestHub } from '@showwire/testkit';

/**
 * One show id limit everywhere: an id the ingest accepts is reachable on every
 * `/api/shows/:show/…` path (the router's own parameter limit used to cut at 100), and one
 * character more is a 400 naming the show on all of them.
 */
describe('show id length: one limit on every path', () => {
  let hub: TestHub;
  let admin: string;
  const longest = `s${'x'.repeat(SHOW_ID_MAX_LENGTH - 1)}`;
  const tooLong = `${longest}y`;
  before(async () => {
    hub = await startHub();
    admin = await hub.token('admin');
  });
  after(() => hub.close());

  const post = (path: string, body: unknown) => postJson(`${hub.url}${path}`, body, admin);
  const put = async (path: string, body: unknown) => {
    const res = await fetch(`${hub.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  /**
   * Opens the stream (on a connection of its own), posts an event to the show once it is open and
   * reads until that event arrives. (Live, not a resume: replay-before-headers is issue #13 item 1.)
   */
  async function stream(show: string): Promise<{ status: number; body: any }> {
    const dispatcher = new Agent();
    try {
      const res = await undiciFetch(`${hub.url}/api/shows/${show}/stream`, { headers: { authorization: `Bearer ${admin}` }, dispatcher });
      if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return { status: res.status, body: await res.json() };
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('retry:')) text += new TextDecoder().decode((await reader.read()).value);
      assert.equal((await post(`/api/shows/${show}/events`, { type: 'live_check' })).status, 201);
      while (!text.includes('"type":"live_check"')) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return { status: res.status, body: text };
    } finally {
      await dispatcher.destroy();
    }
  }

  it(`${SHOW_ID_MAX_LENGTH} characters: stored and reachable on every path`, async () => {
    assert.equal(longest.length, 128);
    const viaGuide = await post('/api/agent/data', { type: 'transcript', show: longest, text: 'hi', participant: 'p', role: 'user', final: true });
    assert.equal(viaGuide.status, 201, JSON.stringify(viaGuide.body));
    assert.equal((await post(`/api/shows/${longest}/events`, { type: 'note' })).status, 201);
    const product = await post(`/api/shows/${longest}/products`, { name: 'Mug', price: 12, currency: 'EUR' });
    assert.equal(product.status, 201, JSON.stringify(product.body));
    const carousel = await post(`/api/shows/${longest}/carousel`, { productId: product.body.product.id });
    assert.equal(carousel.status, 201, JSON.stringify(carousel.body));

    const state = await getJson(`${hub.url}/api/shows/${longest}`, admin);
    assert.equal(state.status, 200, JSON.stringify(state.body));
    assert.equal(state.body.show, longest);
    const events = await getJson(`${hub.url}/api/shows/${longest}/events`, admin);
    assert.equal(events.status, 200);
    assert.deepEqual(
      events.body.events.map((e: any) => [e.show, e.type]),
      [[longest, 'transcript'], [longest, 'note'], [longest, 'product_created'], [longest, 'product_added_to_show']],
    );
    const sse = await stream(longest);
    assert.equal(sse.status, 200);
    assert.match(sse.body, new RegExp(`"show":"${longest}","type":"live_check"`));
    // The LiveKit room paths take the same id (the room name): the route is reached (LiveKit is
    // not configured here, so it answers that, not 404 or 414).
    const room = await put(`/api/streaming/rooms/${longest}/metadata`, { title: 't' });
    assert.equal(room.status, 503);
    assert.equal(room.body.error, 'livekit_unconfigured');
  });

  it(`${SHOW_ID_MAX_LENGTH + 1} characters: 400 naming the show, on every path, and nothing stored`, async () => {
    const bodyShow = await post('/api/agent/data', { type: 'note', show: tooLong });
    assert.equal(bodyShow.status, 400);
    assert.equal(bodyShow.body.issues[0].path, 'show');
    assert.match(bodyShow.body.message, /1-128 characters/);
    const answers = [
      ['POST events', await post(`/api/shows/${tooLong}/events`, { type: 'note' })],
      ['POST products', await post(`/api/shows/${tooLong}/products`, { name: 'Mug', price: 12, currency: 'EUR' })],
      ['POST carousel', await post(`/api/shows/${tooLong}/carousel`, { productId: 'prd_x' })],
      ['GET show', await getJson(`${hub.url}/api/shows/${tooLong}`, admin)],
      ['GET events', await getJson(`${hub.url}/api/shows/${tooLong}/events`, admin)],
      ['GET stream', await stream(tooLong)],
    ] as const;
    for (const [what, res] of answers) {
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, 'validation_failed', what);
      assert.equal(res.body.issues[0].path, 'show', what);
      assert.match(res.body.message, /1-128 characters/, what);
    }
    const room = await put(`/api/streaming/rooms/${tooLong}/metadata`, { title: 't' });
    assert.equal(room.status, 400);
    assert.equal(room.body.issues[0].path, 'roomName');
    const list = await getJson(`${hub.url}/api/shows`, admin);
    assert.ok(!JSON.stringify(list.body).includes(tooLong));
  });

  it('a path segment far beyond any id: 414 in the hub error shape', async () => {
    const res = await getJson(`${hub.url}/api/shows/${'z'.repeat(5000)}/events`, admin);
    assert.equal(res.status, 414);
    assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
    assert.equal(res.body.error, 'uri_too_long');
    assert.match(res.body.message, /show ids are at most 128/);
  });
});
