import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import WebSocket from 'ws';
import { postJson, readHistory, startHub, tempDir, type TestHub, startLiveKit, type LiveKitServer, metricValue, readMetrics, waitFor } from '@showwire/testkit';
import { startMediaHost, type MediaHost } from '@showwire/testkit/media-host';

const ROOM = 'show-live-2';

/** This test process's child processes (the hub runs in it, so its participant processes are among them). */
const childPids = () =>
  execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)])
    .toString()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, comm]) => pid && comm !== 'ps')
    .map(([pid]) => Number(pid));

/**
 * A WebSocket viewer that completes the handshake and then stops reading: what the hub writes
 * piles up in its socket once the (small, since nothing is read) kernel buffers are full.
 */
async function stalledViewer(hubUrl: string, path: string): Promise<Socket> {
  const { hostname, port } = new URL(hubUrl);
  const sock = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      sock.pause();
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
    };
    sock.on('data', onData);
  });
  return sock;
}

describe('live sessions under bad conditions', () => {
  let lk: LiveKitServer;
  let host: MediaHost;

  before(async () => {
    lk = await startLiveKit();
    host = await startMediaHost({ url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, room: ROOM });
  });

  after(async () => {
    await host?.stop();
    await lk?.stop();
    await dispose();
  });

  it('a viewer that stops reading misses frames, its buffer stays capped, and a reading viewer misses nothing', async () => {
    const cap = 16 * 1024;
    const hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, HUB_LIVE_FPS: '30', HUB_LIVE_WS_BUFFER_BYTES: String(cap) });
    let slow: Socket | undefined;
    try {
      const staff = await hub.token('staff');
      assert.equal((await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, staff)).status, 200);
      slow = await stalledViewer(hub.url, `/api/live-sessions/ws/live/${ROOM}?access_token=${staff}`);
      let audioBytes = 0;
      const fast = new WebSocket(`${hub.url.replace('http', 'ws')}/api/live-sessions/ws/live/${ROOM}?access_token=${staff}`);
      fast.on('message', (data, binary) => {
        if (!binary) audioBytes += Buffer.from((data as Buffer).toString().slice(6), 'base64').length;
      });
      await waitFor('audio at the reading viewer', () => audioBytes > 0, 30_000);

      // Sample the hub's side of both sockets while the stalled one fills up.
      let most = 0;
      const sampler = setInterval(() => {
        for (const c of hub.app.websocketServer.clients) most = Math.max(most, c.bufferedAmount);
      }, 20);
      const from = { at: Date.now(), bytes: audioBytes };
      try {
        await waitFor(
          'frames dropped for the stalled viewer',
          async () => {
            const m = await readMetrics(hub.url, staff);
            return metricValue(m, 'showwire_live_frames_dropped_total', { kind: 'audio' }) > 20 && metricValue(m, 'showwire_live_frames_dropped_total', { kind: 'video' }) > 20;
          },
          60_000,
          250,
        );
      } finally {
        clearInterval(sampler);
      }
      // Nothing is queued past the cap: at most the one message that crossed it (an audio chunk is ~13 KB).
      assert.ok(most > cap, `the stalled viewer's buffer reached the cap (${most})`);
      assert.ok(most <= cap + 32 * 1024, `the stalled viewer's buffer stayed near the cap: ${most} bytes`);
      // The reading viewer got its audio all along (48 kHz 16-bit mono = 96,000 bytes/s, 10 % slack for chunking).
      const seconds = (Date.now() - from.at) / 1000;
      assert.ok(audioBytes - from.bytes >= 0.9 * 96_000 * (seconds - 0.5), `reading viewer: ${audioBytes - from.bytes} bytes of audio in ${seconds.toFixed(1)} s`);
      fast.close();
      assert.equal((await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: ROOM }, staff)).status, 200);
    } finally {
      slow?.destroy();
      await hub.close();
    }
  });

  it('the room deleted: the session ends, its viewers are closed, the recording is finished and announced', async () => {
    const room = 'show-live-3';
    const host = await startMediaHost({ url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, room });
    const hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret });
    try {
      const admin = await hub.token('admin');
      const start = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: room, record_session: true }, admin);
      assert.equal(start.status, 200);
      const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/live-sessions/ws/live/${room}?access_token=${admin}`);
      let frames = 0;
      let closed: number | undefined;
      ws.on('message', (_d, binary) => binary && frames++);
      ws.on('close', (code) => (closed = code));
      await waitFor('video at the viewer', () => frames >= 3, 30_000);
      // Let the recording run a little: its length is checked below.
      await new Promise((r) => setTimeout(r, 2_000));

      const end = await postJson(`${hub.url}/api/streaming/rooms/${room}/end`, {}, admin);
      assert.equal(end.status, 200);
      await waitFor('the viewer closed by the hub', () => closed, 30_000);
      assert.equal(closed, 1000);
      const active = await (await fetch(`${hub.url}/api/live-sessions/active`, { headers: { authorization: `Bearer ${admin}` } })).json();
      assert.deepEqual(active, { active_sessions: {}, count: 0 });
      const ready = await waitFor('recording_ready', async () => {
        const found = (await readHistory(hub.url, room, admin)).filter((e) => e.type === 'recording_ready');
        return found.length > 0 && found;
      });
      assert.equal(ready.length, 1);
      assert.equal(ready[0].sessionId, String(start.body.session_id));
      assert.ok(ready[0].durationSeconds > 1.5, `recording of ${ready[0].durationSeconds} s`);
      const stop = await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: room }, admin);
      assert.equal(stop.status, 404);
    } finally {
      await host.stop();
      await hub.close();
    }
  });

  it('two starts at once for one room: one session, the other 409', async () => {
    const hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret });
    try {
      const admin = await hub.token('admin');
      const both = await Promise.all([1, 2].map(() => postJson(`${hub.url}/api/live-sessions/start`, { room_name: 'show-live-4' }, admin)));
      assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
      assert.equal(both.find((r) => r.status === 409)!.body.error, 'session_active');
      const active = await (await fetch(`${hub.url}/api/live-sessions/active`, { headers: { authorization: `Bearer ${admin}` } })).json();
      assert.equal(active.count, 1);
      assert.equal((await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: 'show-live-4' }, admin)).status, 200);
    } finally {
      await hub.close();
    }
  });

  it('the participant process dies: viewers get 1011, the session is gone, a new one can start', async () => {
    const hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret });
    try {
      const admin = await hub.token('admin');
      const before = new Set(childPids());
      assert.equal((await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, admin)).status, 200);
      const participant = childPids().filter((p) => !before.has(p));
      assert.equal(participant.length, 1, 'one new process for the session');
      const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/live-sessions/ws/live/${ROOM}?access_token=${admin}`);
      let frames = 0;
      let closed: { code: number; reason: string } | undefined;
      ws.on('message', (_d, binary) => binary && frames++);
      ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
      await waitFor('video at the viewer', () => frames >= 2, 30_000);

      process.kill(participant[0]!, 'SIGKILL');
      await waitFor('the viewer closed', () => closed, 30_000);
      assert.deepEqual(closed, { code: 1011, reason: 'live session failed' });
      const active = await (await fetch(`${hub.url}/api/live-sessions/active`, { headers: { authorization: `Bearer ${admin}` } })).json();
      assert.equal(active.count, 0);
      assert.match(hub.logs(), /live session participant failed/);
      const again = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, admin);
      assert.equal(again.status, 200);
      assert.equal((await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: ROOM }, admin)).status, 200);
    } finally {
      await hub.close();
    }
  });

  it('closing the hub (SIGTERM drain) finishes the recording and stores recording_ready', async () => {
    const dataDir = tempDir();
    try {
      const env = { HUB_LOG_LEVEL: 'warn', HUB_DATA_DIR: dataDir, LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, HUB_LIVE_LEVEL_INTERVAL_MS: '500' };
      const hub = await startHub(env);
      const admin = await hub.token('admin');
      const start = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM, record_session: true }, admin);
      assert.equal(start.status, 200);
      // Media is flowing once the host is heard.
      await waitFor('a loud audio_level', async () => (await readHistory(hub.url, ROOM, admin)).some((e) => e.type === 'audio_level' && e.levelDbfs > -30), 30_000);
      await new Promise((r) => setTimeout(r, 3_000));
      await hub.close();

      const again = await startHub({ HUB_LOG_LEVEL: 'warn', HUB_DATA_DIR: dataDir });
      try {
        const ready = (await readHistory(again.url, ROOM, await again.token('admin'))).filter((e) => e.type === 'recording_ready');
        assert.equal(ready.length, 1);
        const duration = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', ready[0].path]).toString());
        assert.ok(duration >= 1, `recording of ${duration} s`);
        assert.ok(Math.abs(ready[0].durationSeconds - duration) < 0.01);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('live sessions without a LiveKit to join', () => {
  let hub: TestHub;
  after(async () => hub?.close());

  it('answers 503 naming LiveKit when it is not configured, or not reachable, and keeps no session', async () => {
    const bare = await startHub({ HUB_LOG_LEVEL: 'warn' });
    try {
      const res = await postJson(`${bare.url}/api/live-sessions/start`, { room_name: ROOM }, await bare.token('admin'));
      assert.equal(res.status, 503);
      assert.equal(res.body.error, 'livekit_unconfigured');
    } finally {
      await bare.close();
    }

    // A port nothing listens on: the participant can't connect.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    hub = await startHub({ HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: `ws://127.0.0.1:${port}`, LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret' });
    const admin = await hub.token('admin');
    const res = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, admin);
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.error, 'livekit_unavailable');
    assert.match(res.body.message, new RegExp(`could not join LiveKit room "${ROOM}" at ws://127.0.0.1:${port}`));
    const active = await (await fetch(`${hub.url}/api/live-sessions/active`, { headers: { authorization: `Bearer ${admin}` } })).json();
    assert.deepEqual(active, { active_sessions: {}, count: 0 });
  });
});
