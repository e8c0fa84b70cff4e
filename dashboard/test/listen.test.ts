import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AudioFrame, AudioSource, dispose, LocalAudioTrack, Room, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { startLiveKit, type LiveKitServer } from '@showwire/testkit';
import { startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

const SHOW = 'listen-show';

/**
 * Listen-in end to end: an @livekit/rtc-node host publishes a 440 Hz tone into a real
 * livekit-server; the dashboard, in Chromium, joins with the hub's hidden subscribe-only token
 * and its WebAudio analyser measures the tone's energy. The host never sees the listener.
 */
describe('listen-in in the browser', () => {
  let lk: LiveKitServer;
  let rig: BrowserRig | undefined;
  let host: Room;
  let toneRunning = true;
  let tone: Promise<void>;

  before(async () => {
    lk = await startLiveKit();
    rig = await startRig({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, HUB_HEARTBEAT_MS: '300' });
    await publish(rig.hub.url, rig.agent, SHOW, [{ type: 'show_started', title: 'Listen to me' }]);
    const at = new AccessToken(lk.apiKey, lk.apiSecret, { identity: 'host-hana', ttl: 600 });
    at.addGrant({ room: SHOW, roomJoin: true, canPublish: true, canSubscribe: true });
    host = new Room();
    await host.connect(lk.url, await at.toJwt(), { autoSubscribe: false, dynacast: false });
    const source = new AudioSource(48000, 1);
    const opts = new TrackPublishOptions();
    opts.source = TrackSource.SOURCE_MICROPHONE;
    await host.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('mic', source), opts);
    // The tone plays until the test ends (bounded: at most 120 s of 10 ms frames).
    tone = (async () => {
      for (let f = 0; toneRunning && f < 12_000; f++) {
        const samples = new Int16Array(480);
        for (let i = 0; i < samples.length; i++) samples[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * (f * 480 + i)) / 48000));
        await source.captureFrame(new AudioFrame(samples, 48000, 1, 480));
      }
    })();
  });

  after(async () => {
    toneRunning = false;
    await tone?.catch(() => {});
    await host?.disconnect().catch(() => {});
    await rig?.close();
    await lk?.stop();
    await dispose();
  });

  test('staff hear the room with a level meter; the host does not see them; stopping leaves', async () => {
    const { page, context } = await rig!.open(`/shows/${SHOW}`, rig!.staff);
    try {
      await page.locator('[data-listen-toggle]').click();
      await waitAttr(page, '[data-listen]', 'data-listen', (v) => v === 'listening', 30_000);
      // The tone's RMS is about 0.26 of full scale; silence is 0.
      const level = await waitAttr(page, '[data-listen]', 'data-level', (v) => Number(v) > 0.05, 30_000);
      assert.ok(Number(level) < 1, level);
      assert.equal(await page.locator('audio[data-listen-audio]').count(), 1, 'the host track plays in an audio element');
      assert.deepEqual([...host.remoteParticipants.keys()], [], 'the host sees no one: the listener is hidden');

      await page.locator('[data-listen-toggle]').click();
      await waitAttr(page, '[data-listen]', 'data-listen', (v) => v === 'idle');
      assert.equal(await page.locator('audio[data-listen-audio]').count(), 0);
      assert.equal(await page.locator('[data-listen]').getAttribute('data-level'), '0.0000');
    } finally {
      await context.close();
    }
  });

  test('hosts have no listen-in button, and the hub refuses them', async () => {
    const hostToken = await rig!.hub.token('host', [SHOW], 600, 'hana');
    const { page, context } = await rig!.open(`/shows/${SHOW}`, hostToken);
    try {
      // The host's own show opens as the studio: its agent bar has the host's subset only.
      await page.locator('[data-testid="agent-bar"]').waitFor();
      assert.equal(await page.locator('[data-testid="studio"]').count(), 1);
      assert.equal(await page.locator('[data-listen-toggle]').count(), 0);
      const actions = await page.locator('[data-control]').evaluateAll((els) => els.map((e) => e.getAttribute('data-control')));
      assert.deepEqual(actions, ['pause', 'resume', 'say']);
    } finally {
      await context.close();
    }
  });
});
