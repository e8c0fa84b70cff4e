import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AudioFrame, AudioSource, dispose, LocalAudioTrack, Room, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import { decodeJwt } from 'jose';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { getJson, postJson, startHub, type TestHub, freeTcpPort, startLiveKitWithHub, type LiveKitServer, listen, waitFor } from '@showwire/testkit';

const SHOW = 'show-lk-1';

/** A hub on a chosen port (LiveKit's webhook config needs the hub's URL before the hub starts). */
const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle in ${ms} ms`)), ms).unref())]);

/** 440 Hz mono 48 kHz, 10 ms frames: real audio for the host's microphone track. */
async function pushTone(source: AudioSource, frames: number) {
  for (let f = 0; f < frames; f++) {
    const samples = new Int16Array(480);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (f * 480 + i)) / 48000));
    await source.captureFrame(new AudioFrame(samples, 48000, 1, 480));
  }
}

describe('LiveKit side of the hub, against a real livekit-server', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  let admin: string;
  const rooms: Room[] = [];

  before(async () => {
    ({ lk, hub } = await startLiveKitWithHub({ HUB_LOG_LEVEL: 'warn' }));
    admin = await hub.token('admin');
  });

  after(async () => {
    for (const r of rooms) await r.disconnect().catch(() => {});
    await hub?.close();
    await lk?.stop();
    await dispose();
  });

  it('mints host tokens only for an admin or the show\'s host, viewer tokens for anyone, each with its hub token', async () => {
    const body = { roomName: SHOW, participantName: 'alice', role: 'host' };
    const anon = await postJson(`${hub.url}/api/streaming/token`, body);
    assert.equal(anon.status, 401);
    const viewerTok = await postJson(`${hub.url}/api/streaming/token`, body, await hub.token('viewer', [SHOW]));
    assert.equal(viewerTok.status, 403);
    assert.match(viewerTok.body.message, /cannot manage LiveKit rooms/);
    const otherHost = await postJson(`${hub.url}/api/streaming/token`, body, await hub.token('host', ['other-show']));
    assert.equal(otherHost.status, 403);
    assert.match(otherHost.body.message, /does not cover show "show-lk-1"/);

    const host = await postJson(`${hub.url}/api/streaming/token`, body, await hub.token('host', [SHOW]));
    assert.equal(host.status, 200);
    assert.equal(host.body.url, lk.url);
    const grants = decodeJwt<any>(host.body.token);
    assert.equal(grants.sub, 'alice');
    assert.deepEqual(
      { ...grants.video },
      { room: SHOW, roomJoin: true, canSubscribe: true, canPublish: true, canPublishData: true, roomAdmin: true, roomCreate: true },
    );
    assert.ok(Math.abs(grants.exp - grants.nbf - 24 * 3600) <= 5, 'default TTL is 24 h');
    // The agent tells the host from viewers by this attribute.
    assert.equal(grants.attributes['showwire.role'], 'host');
    assert.match(grants.attributes['showwire.owner'], /^[\w-]{16}$/, 'the owning token, as a digest');
    const hubClaims = decodeJwt<any>(host.body.hubToken);
    assert.deepEqual({ role: hubClaims.role, shows: hubClaims.shows, sub: hubClaims.sub }, { role: 'host', shows: [SHOW], sub: 'alice' });

    const viewer = await postJson(`${hub.url}/api/streaming/token`, { roomName: SHOW, participantName: 'bob' });
    assert.equal(viewer.status, 200);
    const vg = decodeJwt<any>(viewer.body.token);
    assert.equal(vg.video.canPublish, false);
    assert.equal(vg.video.roomAdmin, false);
    assert.equal(vg.attributes['showwire.role'], 'viewer');
    // Anonymous: a hub-chosen identity; the participantName is the display name only.
    assert.match(viewer.body.identity, /^viewer-[\w-]{16}$/);
    assert.equal(vg.sub, viewer.body.identity);
    assert.equal(vg.name, 'bob');
    assert.equal((decodeJwt<any>(viewer.body.hubToken)).role, 'viewer');

    // The audit/setup doc shape: GET and POST, room/username/admin → {token, url}.
    const get = await getJson(`${hub.url}/api/livekit/token?room=${SHOW}&username=carol`);
    assert.equal(get.status, 200);
    assert.deepEqual(Object.keys(get.body).sort(), ['token', 'url']);
    assert.equal((decodeJwt<any>(get.body.token)).video.canPublish, false);
    const adminGet = await getJson(`${hub.url}/api/livekit/token?room=${SHOW}&username=carol&admin=true`);
    assert.equal(adminGet.status, 401, 'admin=true needs a host or admin hub token');
    const post = await postJson(`${hub.url}/api/livekit/token`, { room: SHOW, username: 'dave', admin: true }, admin);
    assert.equal(post.status, 200);
    assert.equal((decodeJwt<any>(post.body.token)).video.roomAdmin, true);
    assert.equal((decodeJwt<any>(post.body.token)).attributes['showwire.role'], 'host');
  });

  it('a host joins and publishes audio, a viewer cannot publish; the stream shows show_started, viewer_joined/left; rooms, metadata and end work', async () => {
    const stream = listen(`${hub.url}/api/shows/${SHOW}/stream`, { token: admin });
    await stream.opened();
    const types = () => stream.events.map((e) => e.data.type);

    // Host: a hub-minted host token, a real WebRTC participant publishing a tone.
    const hostTok = (await postJson(`${hub.url}/api/streaming/token`, { roomName: SHOW, participantName: 'alice', isHost: true }, admin)).body;
    const hostRoom = new Room();
    rooms.push(hostRoom);
    await withTimeout(hostRoom.connect(hostTok.url, hostTok.token, { autoSubscribe: false, dynacast: false }), 30_000, 'host connect');
    const source = new AudioSource(48000, 1);
    const track = LocalAudioTrack.createAudioTrack('mic', source);
    const opts = new TrackPublishOptions();
    opts.source = TrackSource.SOURCE_MICROPHONE;
    const pub = await withTimeout(hostRoom.localParticipant!.publishTrack(track, opts), 30_000, 'host publish');
    assert.ok(pub.sid);
    await pushTone(source, 50);
    await stream.until(() => types().includes('show_started'), 30_000, 'show_started');

    // LiveKit sees the host's published audio track.
    const svc = new RoomServiceClient(lk.httpUrl, lk.apiKey, lk.apiSecret);
    const hostInfo = await waitFor('host track on LiveKit', async () => {
      const p = (await svc.listParticipants(SHOW)).find((x) => x.identity === 'alice');
      return p && p.tracks.length > 0 && p;
    });
    assert.equal(hostInfo.tracks[0]!.type, 0 /* AUDIO */);

    // Viewer: subscribe-only token; publishing is refused.
    const viewerTok = (await postJson(`${hub.url}/api/streaming/token`, { roomName: SHOW, participantName: 'bob' })).body;
    const viewerRoom = new Room();
    rooms.push(viewerRoom);
    await withTimeout(viewerRoom.connect(viewerTok.url, viewerTok.token, { autoSubscribe: true, dynacast: false }), 30_000, 'viewer connect');
    const vsource = new AudioSource(48000, 1);
    const vtrack = LocalAudioTrack.createAudioTrack('mic', vsource);
    await assert.rejects(withTimeout(viewerRoom.localParticipant!.publishTrack(vtrack, opts), 30_000, 'viewer publish'), (err: Error) => {
      assert.doesNotMatch(err.message, /did not settle/);
      return true;
    });
    await stream.until(() => types().includes('viewer_joined'), 30_000, 'viewer_joined');
    const joined = stream.events.filter((e) => e.data.type === 'viewer_joined');
    assert.deepEqual(
      joined.map((e) => [e.data.participant, e.data.viewers]),
      [[viewerTok.identity, 1]],
      'the host is not a viewer: only bob (under his hub-given identity) joined, and the count is 1',
    );
    assert.equal(joined[0]!.data.source, 'admin:livekit');
    assert.ok(types().indexOf('show_started') < types().indexOf('viewer_joined'));

    // Metadata: update, then the room list shows it.
    const meta = await fetch(`${hub.url}/api/streaming/rooms/${SHOW}/metadata`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await hub.token('host', [SHOW])}` },
      body: JSON.stringify({ title: 'Summer Collection Drop!', thumbnailUrl: '/thumbnails/abc.jpg' }),
    });
    assert.equal(meta.status, 200);
    await stream.until(() => types().includes('show_metadata'), 10_000, 'show_metadata');
    const shown = stream.events.find((e) => e.data.type === 'show_metadata')!.data;
    assert.deepEqual({ title: shown.title, thumbnailUrl: shown.thumbnailUrl }, { title: 'Summer Collection Drop!', thumbnailUrl: '/thumbnails/abc.jpg' });
    const list = await getJson(`${hub.url}/api/streaming/rooms`);
    assert.equal(list.status, 200);
    const room = list.body.rooms.find((r: any) => r.roomName === SHOW);
    assert.ok(room, `room listed: ${JSON.stringify(list.body)}`);
    assert.deepEqual(room.metadata, { title: 'Summer Collection Drop!', thumbnailUrl: '/thumbnails/abc.jpg' });
    assert.equal(room.title, 'Summer Collection Drop!');
    assert.equal(room.numParticipants, 2);
    assert.ok(room.creationTime > 1_600_000_000 && room.creationTime < Date.now() / 1000 + 60);
    const notOwner = await fetch(`${hub.url}/api/streaming/rooms/${SHOW}/metadata`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await hub.token('host', ['other'])}` },
      body: JSON.stringify({ title: 'hijack' }),
    });
    assert.equal(notOwner.status, 403);

    // The viewer leaves → viewer_left with 0.
    await viewerRoom.disconnect();
    await stream.until(() => types().includes('viewer_left'), 30_000, 'viewer_left');
    const left = stream.events.find((e) => e.data.type === 'viewer_left')!.data;
    assert.deepEqual([left.participant, left.viewers], [viewerTok.identity, 0]);

    // End: LiveKit drops everyone and reports room_finished → show_ended.
    const end = await postJson(`${hub.url}/api/streaming/rooms/${SHOW}/end`, {}, await hub.token('host', [SHOW]));
    assert.equal(end.status, 200, JSON.stringify(end.body));
    await stream.until(() => types().includes('show_ended'), 30_000, 'show_ended');
    const after = await getJson(`${hub.url}/api/streaming/rooms`);
    assert.equal(after.body.rooms.find((r: any) => r.roomName === SHOW), undefined);
    const again = await postJson(`${hub.url}/api/streaming/rooms/${SHOW}/end`, {}, admin);
    assert.equal(again.status, 404);
    assert.match(again.body.message, /LiveKit has no live room "show-lk-1"/);
    // Every show event came once, in LiveKit's order.
    const shows = types().filter((t) => ['show_started', 'viewer_joined', 'viewer_left', 'show_ended'].includes(t));
    assert.deepEqual(shows, ['show_started', 'viewer_joined', 'viewer_left', 'show_ended']);
    stream.close();
  });

  it('refuses forged webhooks with 401 and publishes nothing; a retried genuine webhook is stored once', async () => {
    const show = 'show-lk-hooks';
    const body = JSON.stringify({ event: 'room_started', id: 'EV_forged1', createdAt: Math.floor(Date.now() / 1000), room: { name: show, sid: 'RM_x' } });
    const sign = async (secret: string, payload: string) => {
      const at = new AccessToken(lk.apiKey, secret);
      at.sha256 = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(payload))).toString('base64');
      return at.toJwt();
    };
    const post = (payload: string, auth?: string) =>
      fetch(`${hub.url}/api/livekit/webhook`, { method: 'POST', headers: { 'content-type': 'application/webhook+json', ...(auth && { authorization: auth }) }, body: payload });

    const unsigned = await post(body);
    assert.equal(unsigned.status, 401);
    assert.match((await unsigned.json()).message, /LiveKit webhook refused/);
    const wrongKey = await post(body, await sign('not-the-secret', body));
    assert.equal(wrongKey.status, 401);
    const tampered = await post(body.replace('room_started', 'room_finished'), await sign(lk.apiSecret, body));
    assert.equal(tampered.status, 401);
    const history = await getJson(`${hub.url}/api/shows/${show}/events`, admin);
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.events, [], 'nothing was published');

    const good = await post(body, await sign(lk.apiSecret, body));
    assert.equal(good.status, 200);
    const first = await good.json();
    assert.equal(first.published, 1);
    const retry = await post(body, await sign(lk.apiSecret, body));
    const second = await retry.json();
    assert.equal(second.published, 0);
    assert.deepEqual(second.ids, first.ids);
    const stored = await getJson(`${hub.url}/api/shows/${show}/events`, admin);
    assert.deepEqual(stored.body.events.map((e: any) => e.type), ['show_started']);
  });

  it('stores thumbnails checked by their bytes and serves them at /thumbnails/…', async () => {
    const host = await hub.token('host', [SHOW]);
    // 1×1 PNG.
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c60000000049454e44ae426082', 'hex');
    const up = await postJson(`${hub.url}/api/streaming/upload-thumbnail`, { image: `data:image/png;base64,${png.toString('base64')}` }, host);
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.contentType, 'image/png');
    assert.match(up.body.thumbnailUrl, /^\/thumbnails\/[0-9a-f]{32}\.png$/);
    const got = await fetch(hub.url + up.body.thumbnailUrl);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.equal(got.headers.get('cross-origin-resource-policy'), 'cross-origin', 'shop pages on other sites may embed it');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), png);

    const fake = await postJson(`${hub.url}/api/streaming/upload-thumbnail`, { image: `data:image/png;base64,${Buffer.from('<svg onload=alert(1)>').toString('base64')}` }, host);
    assert.equal(fake.status, 400);
    assert.match(fake.body.message, /not a JPEG, PNG or WebP/);
    const viewer = await postJson(`${hub.url}/api/streaming/upload-thumbnail`, { image: png.toString('base64') }, await hub.token('viewer', [SHOW]));
    assert.equal(viewer.status, 403);
    const traversal = await fetch(`${hub.url}/thumbnails/..%2fhub-secret`);
    assert.equal(traversal.status, 400);
  });
});

describe('LiveKit down or unconfigured', () => {
  let down: TestHub;
  let unset: TestHub;
  before(async () => {
    const closed = await freeTcpPort();
    down = await startHub({ LIVEKIT_URL: `ws://127.0.0.1:${closed}`, LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret', HUB_THUMBNAIL_MAX_BYTES: '1024' });
    unset = await startHub({});
  });
  after(async () => {
    await down?.close();
    await unset?.close();
  });

  it('answers 503 naming LiveKit, never a hang or a stack trace', async () => {
    const admin = await down.token('admin');
    const rooms = await getJson(`${down.url}/api/streaming/rooms`);
    assert.equal(rooms.status, 503);
    assert.equal(rooms.body.error, 'livekit_unavailable');
    assert.match(rooms.body.message, /^LiveKit server at ws:\/\/127\.0\.0\.1:\d+ is unreachable \(listRooms: ECONNREFUSED\)$/);
    const dispatch = await postJson(`${down.url}/api/streaming/dispatch-agent`, { roomName: 'x' }, admin);
    assert.equal(dispatch.status, 503);
    assert.match(dispatch.body.message, /LiveKit server .* unreachable \(createDispatch/);
    assert.doesNotMatch(JSON.stringify(dispatch.body), /secret|at .*\.js/);

    const none = await getJson(`${unset.url}/api/streaming/rooms`);
    assert.equal(none.status, 503);
    assert.equal(none.body.message, 'LiveKit is not configured on this hub: set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET');
    const tok = await postJson(`${unset.url}/api/streaming/token`, { roomName: 'x', participantName: 'v' });
    assert.equal(tok.status, 503);
    assert.match(tok.body.message, /LiveKit is not configured/);
    const hook = await fetch(`${unset.url}/api/livekit/webhook`, { method: 'POST', headers: { 'content-type': 'application/webhook+json' }, body: '{}' });
    assert.equal(hook.status, 503);
  });

  it('answers 503 when LiveKit accepts the connection but never answers (the call has a deadline)', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((sock) => sockets.add(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const hung = await startHub({ LIVEKIT_URL: `ws://127.0.0.1:${port}`, LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret', LIVEKIT_TIMEOUT_MS: '500' });
    try {
      const res = await getJson(`${hung.url}/api/streaming/rooms`);
      assert.equal(res.status, 503);
      assert.match(res.body.message, /^LiveKit server at ws:\/\/127\.0\.0\.1:\d+ did not answer listRooms in time/);
    } finally {
      await hung.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('caps thumbnail size', async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000)]);
    const res = await postJson(`${down.url}/api/streaming/upload-thumbnail`, { image: jpeg.toString('base64') }, await down.token('admin'));
    assert.equal(res.status, 413);
    assert.match(res.body.message, /2004 bytes; the limit is 1024/);
  });
});
