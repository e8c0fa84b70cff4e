import { dispose } from '@livekit/rtc-node';
import WebSocket from 'ws';
import { startLiveKit, type LiveKitServer } from '@showwire/testkit';
import { startMediaHost, type MediaHost } from '../hub/test/helpers/media-host.js';

const ROOM = 'bench-live';

/**
 * `BENCH_LIVE_SESSION=1`: a real livekit-server, a generated host (320×240 colour bars at 15 fps,
 * a 440 Hz tone) and one live session on the hub with a WebSocket viewer reading all along, so the
 * table shows what a session costs the hub's fan-out (issue #17: within 5 % of without).
 */
export async function startLiveKitForBench(): Promise<LiveKitServer> {
  return startLiveKit();
}

export async function startLiveSession(hubBase: string, lk: LiveKitServer) {
  const host: MediaHost = await startMediaHost({ url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, room: ROOM });
  const res = await fetch(`${hubBase}/api/live-sessions/start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ room_name: ROOM }),
  });
  if (res.status !== 200) throw new Error(`live session did not start: ${res.status} ${await res.text()}`);
  const counts = { frames: 0, audioMessages: 0 };
  const ws = new WebSocket(`${hubBase.replace('http', 'ws')}/api/live-sessions/ws/live/${ROOM}`);
  ws.on('message', (_data, binary) => (binary ? counts.frames++ : counts.audioMessages++));
  const deadline = Date.now() + 30_000;
  while (counts.frames === 0) {
    if (Date.now() > deadline) throw new Error('live session: no video frame within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    counts,
    async stop() {
      ws.close();
      await fetch(`${hubBase}/api/live-sessions/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room_name: ROOM }) });
      await host.stop();
      await dispose();
    },
  };
}
