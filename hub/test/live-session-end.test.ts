import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import WebSocket from 'ws';
import { postJson, readHistory, startHub, startLiveKit, type LiveKitServer, type TestHub, waitFor } from '@showwire/testkit';
import { startMediaHost, type MediaHost } from '@showwire/testkit/media-host';

/** A viewer of a room's live session, recording its frames and how it was closed. */
function watchSession(hub: TestHub, room: string, token: string) {
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/live-sessions/ws/live/${room}?access_token=${token}`);
  const seen = { frames: 0, closed: undefined as { code: number; reason: string; at: number } | undefined };
  ws.on('message', (_d, binary) => binary && seen.frames++);
  ws.on('close', (code, reason) => (seen.closed = { code, reason: reason.toString(), at: Date.now() }));
  return { ws, seen };
}

/** How a live session ends: when its viewer's token expires, and when LiveKit dies. */
describe('live sessions end', () => {
  let lk: LiveKitServer;
  let host: MediaHost;
  let hub: TestHub;
  const ROOM = 'show-live-end';

  before(async () => {
    lk = await startLiveKit();
    host = await startMediaHost({ url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, room: ROOM });
    hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret });
  });
  after(async () => {
    await host?.stop().catch(() => {});
    await hub?.close();
    await lk?.stop();
    await dispose();
  });

  it("a WebSocket viewer is closed at its token's exp (1008 token expired), as an SSE stream is; another viewer stays", async () => {
    const admin = await hub.token('admin');
    assert.equal((await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM, record_session: true }, admin)).status, 200);
    const ttl = 4;
    const short = await hub.token('staff', ['*'], ttl);
    const exp = Math.floor(Date.now() / 1000) + ttl;
    const brief = watchSession(hub, ROOM, short);
    const lasting = watchSession(hub, ROOM, admin);
    await waitFor('video at both viewers', () => brief.seen.frames >= 2 && lasting.seen.frames >= 2, 30_000);
    await waitFor('the short-lived viewer closed', () => brief.seen.closed, (ttl + 5) * 1000);
    assert.deepEqual({ code: brief.seen.closed!.code, reason: brief.seen.closed!.reason }, { code: 1008, reason: 'token expired' });
    const late = brief.seen.closed!.at - exp * 1000;
    assert.ok(late >= -1000 && late < 1500, `closed ${late} ms from the token's exp`);
    assert.equal(lasting.seen.closed, undefined, 'the viewer with a valid token is still watching');
    lasting.ws.close();
  });

  it('LiveKit dies: the session ends within 5 s, its viewers are closed, and recording_ready is stored', async () => {
    const admin = await hub.token('admin');
    // Started by the test above, or here when it runs alone.
    const start = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM, record_session: true }, admin);
    assert.ok(start.status === 200 || start.body.error === 'session_active', JSON.stringify(start.body));
    const viewer = watchSession(hub, ROOM, admin);
    await waitFor('video at the viewer', () => viewer.seen.frames >= 3, 30_000);
    // Let the recording (started in the test above) hold a few seconds.
    await new Promise((r) => setTimeout(r, 1_500));

    await lk.kill();
    const killedAt = Date.now();
    await waitFor('the viewer closed', () => viewer.seen.closed, 10_000);
    const ended = await waitFor('no active session', async () => {
      const active = (await (await fetch(`${hub.url}/api/live-sessions/active`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { count: number };
      return active.count === 0 && Date.now();
    }, 10_000);
    assert.ok(ended - killedAt < 5_000, `the session ended ${ended - killedAt} ms after LiveKit died`);
    assert.ok(viewer.seen.closed!.at - killedAt < 5_000, `the viewer was closed ${viewer.seen.closed!.at - killedAt} ms after LiveKit died`);
    assert.deepEqual({ code: viewer.seen.closed!.code, reason: viewer.seen.closed!.reason }, { code: 1011, reason: 'live session failed' });
    assert.match(hub.logs(), /lost LiveKit: not reconnected within 3000 ms/);
    const ready = await waitFor('recording_ready', async () => {
      const found = (await readHistory(hub.url, ROOM, admin)).filter((e) => e.type === 'recording_ready');
      return found.length > 0 && found;
    }, 10_000);
    assert.equal(ready.length, 1);
    assert.ok(ready[0].durationSeconds > 2, `a recording of ${ready[0].durationSeconds} s`);
  });
});
