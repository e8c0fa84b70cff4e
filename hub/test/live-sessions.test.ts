import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dispose, Room } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import jpeg from 'jpeg-js';
import WebSocket from 'ws';
import { eventSeq, getJson, postJson, readHistory, type TestHub, startLiveKitWithHub, type LiveKitServer, waitFor } from '@showwire/testkit';
import { startMediaHost, type MediaHost } from '@showwire/testkit/media-host';

const ROOM = 'show-live-1';
const TONE_HZ = 440;

/** Magnitude of one frequency in 16-bit PCM (a single DFT bin), normalised by length. */
function magnitudeAt(pcm: Int16Array, hz: number, rate = 48_000): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < pcm.length; i++) {
    re += pcm[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
    im -= pcm[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return Math.hypot(re, im) / pcm.length;
}

/** A WebSocket viewer collecting what the hub sends it. */
function viewer(url: string) {
  const ws = new WebSocket(url);
  const frames: Array<{ at: number; jpeg: Buffer }> = [];
  const audio: Buffer[] = [];
  const other: string[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (data, isBinary) => {
    if (isBinary) frames.push({ at: Date.now(), jpeg: data as Buffer });
    else {
      const text = (data as Buffer).toString();
      if (text.startsWith('audio:')) audio.push(Buffer.from(text.slice(6), 'base64'));
      else other.push(text);
    }
  });
  ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  return { ws, frames, audio, other, closed: () => closed };
}

/** What the hub answered a WebSocket upgrade it refused: status and the JSON error body. */
function refusal(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => reject(new Error(`${url} was accepted`)));
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    ws.on('error', () => {});
  });
}

describe('live sessions: a server-side participant relays and records the host', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  let host: MediaHost;
  let admin: string;
  let wsBase: string;

  before(async () => {
    // LiveKit's webhooks go to the hub (viewer counts).
    ({ lk, hub } = await startLiveKitWithHub({
      HUB_LOG_LEVEL: 'warn',
      HUB_LIVE_FPS: '5',
      HUB_LIVE_MAX_WIDTH: '160',
      HUB_LIVE_LEVEL_INTERVAL_MS: '1000',
    }));
    admin = await hub.token('admin');
    wsBase = `${hub.url.replace('http', 'ws')}/api/live-sessions/ws/live`;
    host = await startMediaHost({ url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, room: ROOM, toneHz: TONE_HZ });
  });

  after(async () => {
    await host?.stop();
    await hub?.close();
    await lk?.stop();
    await dispose();
  });

  it('refuses bad bodies and callers who may not watch, in the hub\'s error shape', async () => {
    const bad = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: 'no spaces allowed', record_session: 'yes' }, admin);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'validation_failed');
    assert.deepEqual(bad.body.issues.map((i: any) => i.path).sort(), ['record_session', 'room_name']);
    const anon = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM });
    assert.equal(anon.status, 401);
    const viewerTok = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, await hub.token('viewer', [ROOM]));
    assert.equal(viewerTok.status, 403);
    assert.match(viewerTok.body.message, /cannot use live sessions/);
    const otherHost = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, await hub.token('host', ['other-show']));
    assert.equal(otherHost.status, 403);
    assert.match(otherHost.body.message, /does not cover show "show-live-1"/);
    const stopNone = await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: ROOM }, admin);
    assert.equal(stopNone.status, 404);
    assert.match(stopNone.body.message, /no live session is running in room "show-live-1"/);
    const wsNone = await refusal(`${wsBase}/${ROOM}?access_token=${admin}`);
    assert.equal(wsNone.status, 404);
    assert.equal(wsNone.body.error, 'not_found');
  });

  it('starts, streams JPEG frames and the tone to a host\'s WebSocket, publishes falling audio levels, records, and stops', async () => {
    const hostToken = await hub.token('host', [ROOM]);
    const start = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM, record_session: true }, hostToken);
    assert.equal(start.status, 200, JSON.stringify(start.body));
    assert.equal(start.body.success, true);
    assert.equal(start.body.room_name, ROOM);
    assert.equal(start.body.record_session, true);
    assert.match(start.body.participant_sid, /^PA_/);
    assert.equal(typeof start.body.session_id, 'number');

    const again = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, admin);
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'session_active');

    const active = await getJson(`${hub.url}/api/live-sessions/active`, await hub.token('staff'));
    assert.equal(active.status, 200);
    assert.equal(active.body.count, 1);
    const s = active.body.active_sessions[ROOM];
    assert.deepEqual(Object.keys(s).sort(), ['created_at', 'end_time', 'id', 'participant_sid', 'record_session', 'recording', 'recording_path', 'room_name', 'start_time', 'status', 'updated_at']);
    assert.equal(s.id, start.body.session_id);
    assert.equal(s.status, 'active');
    assert.equal(s.end_time, null);
    assert.ok(s.recording_path.startsWith(join(hub.dataDir, 'recordings')) || s.recording_path.includes('/recordings/'), s.recording_path);
    assert.match(s.recording_path, /\/show-live-1-[^/]+\.mkv$/);
    assert.ok(!Number.isNaN(Date.parse(s.start_time)));
    // The session's participant is hidden: a viewer joining after it is the room's only viewer.
    const at = new AccessToken(lk.apiKey, lk.apiSecret, { identity: 'viewer-bob' });
    at.addGrant({ room: ROOM, roomJoin: true, canSubscribe: true, canPublish: false });
    const bob = new Room();
    await bob.connect(lk.url, await at.toJwt(), { autoSubscribe: false, dynacast: false });
    const joined = await waitFor('viewer_joined for bob', async () => (await readHistory(hub.url, ROOM, admin)).find((e) => e.type === 'viewer_joined' && e.participant === 'viewer-bob'), 30_000);
    assert.equal(joined.viewers, 1);
    await bob.disconnect();
    assert.ok(!(await readHistory(hub.url, ROOM, admin)).some((e) => e.type === 'viewer_joined' && e.participant !== 'viewer-bob'));

    const otherHost = await getJson(`${hub.url}/api/live-sessions/active`, await hub.token('host', ['other-show']));
    assert.deepEqual(otherHost.body, { active_sessions: {}, count: 0 });

    const anonWs = await refusal(`${wsBase}/${ROOM}`);
    assert.equal(anonWs.status, 401);
    const otherWs = await refusal(`${wsBase}/${ROOM}?access_token=${await hub.token('host', ['other-show'])}`);
    assert.equal(otherWs.status, 403);

    const v = viewer(`${wsBase}/${ROOM}?access_token=${hostToken}`);
    await waitFor('4 JPEG frames on the WebSocket', () => v.frames.length >= 4, 30_000);
    const firstFrameAt = v.frames[0]!.at;
    const images = v.frames.slice(0, 4).map((f) => {
      assert.deepEqual([...f.jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic bytes');
      return jpeg.decode(f.jpeg, { useTArray: true });
    });
    for (const img of images) assert.deepEqual([img.width, img.height], [160, 120], 'scaled to HUB_LIVE_MAX_WIDTH, aspect kept');
    // Colour bars: eight bars across the picture, so a row holds clearly different colours.
    const pixel = (img: (typeof images)[0], x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3)];
    const row = Array.from({ length: 8 }, (_, b) => pixel(images[3]!, b * 20 + 10, 60).join(','));
    assert.ok(new Set(row).size >= 5, `bars expected, got ${row.join(' | ')}`);
    // Moving: the first and the fourth frame differ.
    assert.notDeepEqual(pixel(images[0]!, 10, 60).concat(pixel(images[0]!, 90, 60)), pixel(images[3]!, 10, 60).concat(pixel(images[3]!, 90, 60)));

    await waitFor('1 s of audio on the WebSocket', () => v.audio.reduce((n, b) => n + b.length, 0) >= 96_000, 30_000);
    const pcm = Buffer.concat(v.audio);
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2)).slice(-48_000);
    const peak = magnitudeAt(samples, TONE_HZ);
    for (const hz of [220, 330, 550, 880, 1000]) assert.ok(peak > 10 * magnitudeAt(samples, hz), `${TONE_HZ} Hz dominates ${hz} Hz`);

    // The host sends 15 fps; the viewer gets at most HUB_LIVE_FPS (5) a second (one of slack for the edges).
    await waitFor('2 s of frames', () => v.frames.at(-1)!.at - firstFrameAt >= 2_000, 30_000);
    const span = (v.frames.at(-1)!.at - firstFrameAt) / 1000;
    assert.ok(v.frames.length <= 5 * span + 2, `${v.frames.length} frames in ${span.toFixed(2)} s`);

    // Audio levels: loud while the tone plays, down near the floor once it stops.
    const levels = async () => (await readHistory(hub.url, ROOM, admin)).filter((e) => e.type === 'audio_level');
    const loud = await waitFor('a loud audio_level', async () => (await levels()).find((e) => e.speakingFraction > 0.8 && e.levelDbfs > -30), 30_000);
    assert.equal(loud.participant, host.identity);
    assert.equal(loud.source, 'admin:live-sessions');
    host.setTone(false);
    const quiet = await waitFor(
      'a quiet audio_level after the tone stopped',
      async () => (await levels()).find((e) => eventSeq(e.id) > eventSeq(loud.id) && e.speakingFraction === 0 && e.levelDbfs < -80),
      30_000,
    );
    assert.ok(quiet.levelDbfs < loud.levelDbfs - 50);
    host.setTone(true);

    // Hold the session a few seconds, then stop: the recording is finished before stop answers.
    await new Promise((r) => setTimeout(r, 3_000));
    const stopAt = Date.now();
    const stop = await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: ROOM }, hostToken);
    assert.deepEqual([stop.status, stop.body], [200, { success: true, room_name: ROOM }]);
    await waitFor('the viewer to be closed', () => v.closed(), 10_000);
    assert.equal(v.closed()!.code, 1000);
    assert.deepEqual((await getJson(`${hub.url}/api/live-sessions/active`, admin)).body, { active_sessions: {}, count: 0 });

    const ready = (await readHistory(hub.url, ROOM, admin)).filter((e) => e.type === 'recording_ready');
    assert.equal(ready.length, 1);
    assert.equal(ready[0].path, s.recording_path);
    assert.equal(ready[0].sessionId, String(s.id));
    assert.ok(existsSync(s.recording_path));
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', s.recording_path]).toString());
    const expected = (stopAt - firstFrameAt) / 1000;
    const duration = Number(probe.format.duration);
    assert.ok(Math.abs(duration - expected) <= 1, `recording lasts ${duration} s, expected ${expected.toFixed(2)} ± 1 s`);
    assert.ok(Math.abs(ready[0].durationSeconds - duration) < 0.01);
    const kinds = probe.streams.map((st: any) => `${st.codec_type}:${st.codec_name}${st.width ? `:${st.width}x${st.height}` : ''}`).sort();
    assert.deepEqual(kinds, ['audio:aac', 'video:h264:320x240']);

    // At close, the guide's MP4 and WAV beside the original, announced with sizes and checksums, and served.
    const files = ready[0].files as Array<{ id: string; kind: string; size: number; sha256: string }>;
    assert.deepEqual(files.map((f) => f.kind), ['video', 'audio', 'original']);
    assert.equal(files[2]!.id, basename(s.recording_path));
    for (const f of files) {
      const res = await fetch(`${hub.url}/api/recordings/${f.id}`, { headers: { authorization: `Bearer ${hostToken}` } });
      assert.equal(res.status, 200, f.id);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(bytes.length, f.size, f.id);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, f.id);
    }
    const listed = await getJson(`${hub.url}/api/shows/${ROOM}/recordings`, hostToken);
    assert.deepEqual(listed.body.recordings.map((r: { eventId: string }) => r.eventId), [ready[0].id]);
  });
});
