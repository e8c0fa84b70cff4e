import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispose, Room } from '@livekit/rtc-node';
import { decodeJwt } from 'jose';
import { RoomServiceClient } from 'livekit-server-sdk';
import { getJson, postJson, startHub, startLiveKit, type LiveKitServer, type TestHub, waitFor } from '@showwire/testkit';

const SHOW = 'show-ids';

/** Identities are the hub's to give: what the outside attack took (issue 24, item 1) is refused. */
describe('LiveKit identities, against a real livekit-server', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  let rooms: RoomServiceClient;
  const joined: Room[] = [];
  const ask = (body: Record<string, unknown>, token?: string) => postJson(`${hub.url}/api/streaming/token`, { roomName: SHOW, ...body }, token);
  const join = async (url: string, token: string) => {
    const room = new Room();
    joined.push(room);
    await room.connect(url, token, { autoSubscribe: false, dynacast: false });
    return room;
  };
  const present = async () => (await rooms.listParticipants(SHOW)).map((p) => p.identity).sort();

  before(async () => {
    lk = await startLiveKit();
    hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret });
    rooms = new RoomServiceClient(lk.httpUrl, lk.apiKey, lk.apiSecret);
  });
  after(async () => {
    for (const r of joined) await r.disconnect().catch(() => {});
    await hub?.close();
    await lk?.stop();
    await dispose();
  });

  it("an anonymous viewer gets a unique hub-chosen identity; participantName is its display name", async () => {
    const [a, b] = [await ask({ participantName: 'alice' }), await ask({ participantName: 'alice' })];
    for (const r of [a, b]) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.match(r.body.identity, /^viewer-[\w-]{16}$/);
      const lkClaims = decodeJwt(r.body.token) as { sub: string; name: string };
      assert.deepEqual([lkClaims.sub, lkClaims.name], [r.body.identity, 'alice']);
      assert.equal((decodeJwt(r.body.hubToken) as { sub: string }).sub, r.body.identity, "the hub token's sub is the same identity");
    }
    assert.notEqual(a.body.identity, b.body.identity);
    // The integration audit's GET shape gives the same: no chosen identity.
    const get = await getJson(`${hub.url}/api/livekit/token?room=${SHOW}&username=alice`);
    assert.equal(get.status, 200);
    assert.match((decodeJwt(get.body.token) as { sub: string }).sub, /^viewer-/);
    // A viewer's own hub token keeps its subject as its identity (its cart stays its own).
    const own = await ask({ participantName: 'Alice A.' }, await hub.token('viewer', [SHOW], 600, 'alice'));
    assert.equal(own.status, 200);
    assert.equal(own.body.identity, 'alice');
  });

  it("the host's identity needs a host token for the show and, while the host is in the room, its owner; the hub's prefix is refused", async () => {
    const anaToken = await hub.token('host', [SHOW], 600, 'host-ana');
    const host = await ask({ participantName: 'ana', role: 'host' }, anaToken);
    assert.equal(host.status, 200, JSON.stringify(host.body));
    assert.equal(host.body.identity, 'ana');
    const hostRoom = await join(host.body.url, host.body.token);
    await waitFor('the host in the room', async () => (await present()).includes('ana'));

    assert.equal((await ask({ participantName: 'ana', role: 'host' })).status, 401, 'no token: no host identity');
    const asViewer = await ask({ participantName: 'ana', role: 'host' }, await hub.token('viewer', [SHOW]));
    assert.equal(asViewer.status, 403);
    // Anonymous, asking for the host's name: a viewer identity of its own, and the host stays.
    const anon = await ask({ participantName: 'ana' });
    assert.equal(anon.status, 200);
    assert.notEqual(anon.body.identity, 'ana');
    await join(anon.body.url, anon.body.token);
    await waitFor('the viewer in the room', async () => (await present()).includes(anon.body.identity));

    // Another host of the show, or an admin, may not take the identity the host holds.
    for (const other of [await hub.token('host', [SHOW], 600, 'host-bea'), await hub.token('admin')]) {
      for (const role of ['host', 'viewer']) {
        const taken = await ask({ participantName: 'ana', role }, other);
        assert.equal(taken.status, 409, JSON.stringify(taken.body));
        assert.equal(taken.body.error, 'identity_in_use');
        assert.match(taken.body.message, /identity "ana" is in room "show-ids" under another token/);
      }
    }
    // Its owner may (a reload of the host's page).
    assert.equal((await ask({ participantName: 'ana', role: 'host' }, anaToken)).status, 200);

    // The hub's own participants' identities, for anyone.
    for (const token of [anaToken, await hub.token('admin')]) {
      const reserved = await ask({ participantName: `showwire-live-${SHOW}`, role: 'host' }, token);
      assert.equal(reserved.status, 403);
      assert.match(reserved.body.message, /identity "showwire-live-show-ids" is reserved/);
    }
    const viaAudit = await postJson(`${hub.url}/api/livekit/token`, { room: SHOW, username: 'showwire-live-x', admin: true }, anaToken);
    assert.equal(viaAudit.status, 403);

    assert.equal(hostRoom.isConnected, true, 'the host was never disconnected');
    assert.ok((await present()).includes('ana'));
  });

  it("cart events and reservations belong to the token's subject: a viewer named alice cannot empty alice's cart", async () => {
    const agent = await hub.token('agent', [SHOW]);
    const product = await postJson(`${hub.url}/api/shows/${SHOW}/products`, { name: 'Mug', price: 10, currency: 'USD' }, agent);
    assert.equal(product.status, 201, JSON.stringify(product.body));
    const productId = product.body.product.id;
    const cart = (token: string, body: Record<string, unknown>) => postJson(`${hub.url}/api/shows/${SHOW}/cart-event`, { productId, quantity: 3, ...body }, token);
    const alice = await hub.token('viewer', [SHOW], 600, 'alice');
    assert.equal((await cart(alice, { action: 'add_to_cart' })).status, 201);
    const quantities = async () => (await getJson(`${hub.url}/api/reservations/quantities?show=${SHOW}`, await hub.token('admin'))).body.quantities;
    assert.deepEqual(await quantities(), { [productId]: 3 });

    const impostor = (await ask({ participantName: 'alice' })).body.hubToken as string;
    const asAlice = await cart(impostor, { action: 'remove_from_cart', userId: 'alice' });
    assert.equal(asAlice.status, 403);
    assert.match(asAlice.body.message, /a viewer posts cart events for itself only/);
    const ownRemove = await cart(impostor, { action: 'remove_from_cart' });
    assert.equal(ownRemove.status, 201);
    assert.notEqual(ownRemove.body.reservation?.userId, 'alice');
    assert.deepEqual(await quantities(), { [productId]: 3 }, "alice's reservation is whole");
  });
});
