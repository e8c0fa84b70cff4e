import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { publishAsHub, writeFinishedRecording } from '@showwire/testkit';
import { startRig, type BrowserRig } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

/** The show page plays a recording the hub serves: Chromium loads the MP4 and seeks in it (Range). */
describe('recordings on the show page', () => {
  let rig: BrowserRig | undefined;
  const SHOW = 'rec-page';

  before(async () => {
    rig = await startRig();
    const dir = join(rig.hub.dataDir, 'recordings');
    mkdirSync(dir, { recursive: true });
    const mkv = join(dir, `${SHOW}-2026-12-07T20-00-00-000Z.mkv`);
    const files = await writeFinishedRecording(mkv, 4);
    await publish(rig.hub.url, rig.agent, SHOW, [{ type: 'show_started', title: 'Recorded' }]);
    // The live session publishes this at close (only the hub may).
    await publishAsHub(rig.hub, SHOW, [{ type: 'recording_ready', path: mkv, durationSeconds: 4, files }]);
  });
  after(() => rig?.close());

  test('a host sees its show\'s recording, plays it from a seek point, and has the WAV and original as downloads', async () => {
    const host = await rig!.hub.token('host', [SHOW]);
    const { page, context } = await rig!.open(`/shows/${SHOW}`, host);
    try {
      const section = page.getByTestId('recordings');
      await section.waitFor({ timeout: 30_000 });
      assert.deepEqual(await section.locator('a[data-kind]').evaluateAll((as) => as.map((a) => a.getAttribute('data-kind'))), ['video', 'audio', 'original']);
      const video = section.locator('video');
      // Seeking needs the hub to answer Range requests: the browser asks for the bytes at 3 s.
      await video.waitFor();
      // A string, not a function: the test's TypeScript transform would add helpers the page lacks.
      const seeked = await page.evaluate<{ time: number; duration: number; error: string | null }>(`new Promise((resolve) => {
        const v = document.querySelector('[data-testid="recordings"] video');
        const done = () => resolve({ time: v.currentTime, duration: v.duration, error: v.error ? v.error.code + ' ' + v.error.message : null });
        v.addEventListener('error', done, { once: true });
        const seek = () => { v.addEventListener('seeked', done, { once: true }); v.currentTime = 3; };
        if (v.readyState >= 1) seek(); else v.addEventListener('loadedmetadata', seek, { once: true });
      })`);
      assert.equal(seeked.error, null);
      assert.ok(Math.abs(seeked.duration - 4) < 0.3, `duration ${seeked.duration}`);
      assert.ok(Math.abs(seeked.time - 3) < 0.5, `seeked to ${seeked.time}`);
    } finally {
      await context.close();
    }
  });
});
