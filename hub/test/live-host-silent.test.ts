import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { listen, postJson, readHistory, startLiveKitWithHub, type LiveKitServer, type TestHub, waitFor } from '@showwire/testkit';
import { startMediaHost, type MediaHost } from '@showwire/testkit/media-host';

/**
 * Issue #17's last proof, end to end: the live session's room monitor measures a real host's tone
 * through a real livekit-server, its `audio_level` events fall when the tone stops, and the alert
 * engine raises `host_silent` from them, to an SSE client; the tone coming back resolves it.
 */

const ROOM = 'show-quiet-1';
const LEVEL_MS = 400;
/** Longer than the rule's allowance for a late report (2 × LEVEL_MS + 1 s), so a stopped monitor never gets to raise it. */
const SILENT_MS = 3_000;

describe('live sessions: the room monitor\'s audio levels drive host_silent', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  let host: MediaHost;
  let admin: string;
  /** The test's SSE client, closed in `after` too when an assertion failed first. */
  let client: ReturnType<typeof listen> | undefined;

  before(async () => {
    ({ lk, hub } = await startLiveKitWithHub({
      HUB_LOG_LEVEL: 'warn',
      HUB_LIVE_LEVEL_INTERVAL_MS: String(LEVEL_MS),
      HUB_ALERT_HOST_SILENT_MS: String(SILENT_MS),
      HUB_ALERT_TICK_MS: '100',
      // No agent runs in this room: the rules about the agent and the stream would only add noise.
      HUB_ALERT_AGENT_MISSING_MS: '0',
      HUB_ALERT_STREAM_STALLED_MS: '0',
    }));
    admin = await hub.token('admin');
    host = await startMediaHost({ url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, room: ROOM });
  });

  after(async () => {
    client?.close();
    await host?.stop();
    await hub?.close();
    await lk?.stop();
    await dispose();
  });

  it('raises host_silent once the tone has stopped for the threshold, and resolves it when the tone is back', async () => {
    const sse = (client = listen(`${hub.url}/api/shows/${ROOM}/stream?types=audio_level,alert_raised,alert_resolved`, { token: admin }));
    await sse.opened();
    const data = () => sse.events.map((m) => m.data);
    const levels = () => data().filter((e) => e.type === 'audio_level');
    const silentAlerts = () => data().filter((e) => e.type.startsWith('alert_') && String(e.alertId).startsWith('host_silent.'));
    const speaking = (e: any) => e.type === 'audio_level' && e.speakingFraction > 0;

    const start = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, admin);
    assert.equal(start.status, 200, JSON.stringify(start.body));

    // The tone plays: loud levels, and for longer than the threshold no host_silent raised after them.
    await sse.until(() => levels().some((e) => e.speakingFraction > 0.8), 30_000, 'a loud audio_level');
    const firstLoud = levels().findIndex((e) => e.speakingFraction > 0.8);
    const loudSince = levels()[firstLoud].receivedAt;
    await sse.until(() => levels().at(-1).receivedAt - loudSince >= (1.5 * SILENT_MS) / 1000, 30_000, 'levels spanning 1.5 times the threshold');
    const whileLoud = levels().slice(firstLoud);
    assert.ok(whileLoud.every((e) => e.speakingFraction > 0.5 && e.levelDbfs > -30), `steady tone: ${whileLoud.map((e) => `${e.speakingFraction}/${e.levelDbfs}`).join(' ')}`);
    assert.equal(whileLoud[0].participant, host.identity);
    // An alert raised before the first tone reached the monitor (a slow subscription) must be closed by now.
    const raisedEarly = silentAlerts().filter((e) => e.type === 'alert_raised').map((e) => e.alertId);
    const resolvedEarly = silentAlerts().filter((e) => e.type === 'alert_resolved').map((e) => e.alertId);
    assert.deepEqual(resolvedEarly, raisedEarly, 'no host_silent open while the tone plays');
    const before = sse.events.length;

    // The tone stops (the microphone keeps sending, digital silence): levels fall, then the alert.
    host.setTone(false);
    await sse.until(() => sse.events.slice(before).some((m) => m.data.type === 'alert_raised' && m.data.rule === 'host_silent'), 30_000, 'host_silent raised');
    const afterStop = sse.events.slice(before).map((m) => m.data);
    const raisedAt = afterStop.findIndex((e) => e.type === 'alert_raised');
    const raised = afterStop[raisedAt];
    assert.equal(raised.severity, 'warning');
    assert.match(raised.message, /^no host audio for \d+(\.\d)? s$/);
    assert.equal(raised.source, 'admin:alerts');
    // What raised it: quiet levels near the floor came in before it, and the last level with any
    // sound is at least the threshold older than the alert (the rule's clock is receivedAt).
    const quiet = afterStop.slice(0, raisedAt).filter((e) => e.type === 'audio_level' && e.speakingFraction === 0);
    assert.ok(quiet.length >= 2, `quiet levels before the alert: ${quiet.length}`);
    assert.ok(quiet.every((e) => e.levelDbfs < -80), `quiet levels near the floor: ${quiet.map((e) => e.levelDbfs).join(' ')}`);
    const lastSound = data().slice(0, before + raisedAt).filter(speaking).at(-1);
    assert.ok(raised.receivedAt - lastSound.receivedAt >= SILENT_MS / 1000, `raised ${(raised.receivedAt - lastSound.receivedAt).toFixed(2)} s after the last sound`);
    // Silence goes on: the condition still holds, so it is not raised twice.
    const quietSince = sse.events.length;
    await sse.until(() => sse.events.slice(quietSince).filter((m) => m.data.type === 'audio_level').length >= 3, 30_000, 'three more quiet levels');
    assert.ok(sse.events.slice(quietSince).every((m) => m.data.type === 'audio_level' && m.data.speakingFraction === 0), 'silence, and no second alert');

    // The tone comes back: the first level with sound resolves the same alert, once.
    host.setTone(true);
    await sse.until(() => silentAlerts().some((e) => e.type === 'alert_resolved' && e.alertId === raised.alertId), 30_000, 'host_silent resolved');
    const back = sse.events.slice(quietSince).map((m) => m.data);
    const resolvedAt = back.findIndex((e) => e.type === 'alert_resolved');
    assert.equal(back[resolvedAt].alertId, raised.alertId);
    const firstSoundBack = back.findIndex(speaking);
    assert.ok(firstSoundBack >= 0 && firstSoundBack < resolvedAt, 'a level with sound came before the resolve');
    const loudAgain = sse.events.length;
    await sse.until(() => sse.events.slice(loudAgain).filter((m) => m.data.type === 'audio_level').length >= 3, 30_000, 'three more loud levels');
    const tail = sse.events.slice(loudAgain).map((m) => m.data);
    assert.ok(tail.every((e) => e.type === 'audio_level' && e.speakingFraction > 0.5), `loud again, no new alert: ${JSON.stringify(tail.map((e) => e.type))}`);
    const all = silentAlerts().filter((e) => e.alertId === raised.alertId).map((e) => e.type);
    assert.deepEqual(all, ['alert_raised', 'alert_resolved']);
    sse.close();

    const stop = await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: ROOM }, admin);
    assert.equal(stop.status, 200);
  });

  it('does not take a stopped monitor for a silent host: no levels, no host_silent', async () => {
    const start = await postJson(`${hub.url}/api/live-sessions/start`, { room_name: ROOM }, admin);
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const history = () => readHistory(hub.url, ROOM, admin);
    const startedAt = Date.now() / 1000;
    await waitFor('a loud audio_level', async () => (await history()).some((e) => e.type === 'audio_level' && e.receivedAt >= startedAt && e.speakingFraction > 0.5), 30_000);
    const stop = await postJson(`${hub.url}/api/live-sessions/stop`, { room_name: ROOM }, admin);
    assert.equal(stop.status, 200);
    const stoppedAt = Date.now() / 1000;
    // Twice the threshold with the alert tick at 100 ms: the rule had every chance to fire.
    await new Promise((r) => setTimeout(r, 2 * SILENT_MS + 500));
    const after = (await history()).filter((e) => e.receivedAt >= stoppedAt);
    assert.deepEqual(after.filter((e) => e.type === 'audio_level'), [], 'the monitor is stopped');
    assert.deepEqual(after.filter((e) => e.type === 'alert_raised'), [], 'nothing raised once the monitor stopped');
  });
});
