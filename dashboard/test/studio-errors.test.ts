import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { freeTcpPort, postJson, startHub, type TestHub } from '@showwire/testkit';
import { ensureBuilt, openPage } from './helpers/browser.js';

/**
 * What a host meets before going live, said in words on the studio page, in a real Chromium with
 * fake camera and microphone devices: a refused permission, and a LiveKit server nobody answers
 * at (the hub mints the host's token; the browser cannot reach the server it names).
 */
const SHOW = 'studio-errors';

describe('the studio says what went wrong', () => {
  let hub: TestHub;
  let browser: Browser;
  let host: string;
  before(async () => {
    ensureBuilt();
    // A port that was free a moment ago: nothing listens there.
    const dead = await freeTcpPort();
    hub = await startHub({ LIVEKIT_URL: `ws://127.0.0.1:${dead}`, LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret-secret-secret-secret-secret' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-fake-device-for-media-stream'],
    });
    host = await hub.token('host', [SHOW], 600, 'hana');
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  test('camera permission denied: the host is told to allow it, nothing goes live', async () => {
    // No permission granted and no fake UI: Chromium refuses getUserMedia as a denied prompt would.
    const { page, context } = await openPage(browser, `${hub.url}/studio/${SHOW}`, host, { width: 390, height: 844 });
    try {
      await page.getByTestId('go-live').click();
      const error = page.getByTestId('studio-error');
      await error.waitFor({ timeout: 30_000 });
      assert.equal(await error.getAttribute('data-problem'), 'permission');
      assert.match(await error.innerText(), /not allowed to use your camera and microphone/);
      assert.equal(await page.getByTestId('studio').getAttribute('data-phase'), 'idle');
      assert.equal(await page.getByTestId('go-live').isEnabled(), true, 'the host can try again');
    } finally {
      await context.close();
    }
  });

  test('the agent failing to join: its error is said, and the studio shows it left', async () => {
    const show = 'studio-agent-fails';
    const { page, context } = await openPage(browser, `${hub.url}/studio/${show}`, await hub.token('host', [show], 600, 'hana'));
    try {
      await page.getByTestId('go-live').waitFor();
      // What the agent posts when its entry throws (agent.ts): a fatal error, then its session's end.
      const agent = await hub.token('agent', [show]);
      const posted = await postJson(`${hub.url}/api/shows/${show}/events`, [
        { type: 'agent_waiting', host: 'hana' },
        { type: 'agent_error', message: 'agent failed to start: the LLM refused the API key', recoverable: false },
        { type: 'agent_session_closed', reason: 'error' },
      ], agent);
      assert.ok(posted.status < 300, JSON.stringify(posted.body));
      const error = page.getByTestId('studio-error');
      await error.waitFor({ timeout: 30_000 });
      assert.equal(await error.getAttribute('data-problem'), 'agent');
      assert.match(await error.innerText(), /The voice agent left the show \(error\): agent failed to start: the LLM refused the API key\./);
      assert.equal(await page.getByTestId('agent-status').textContent(), 'Agent left (error)');
    } finally {
      await context.close();
    }
  });

  test("another show's studio is refused, and says so", async () => {
    const { page, context } = await openPage(browser, `${hub.url}/studio/someone-elses-show`, host);
    try {
      await page.getByText('This sign-in cannot host “someone-elses-show”.').waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
  });

  test('desktop layout: the camera and the show side by side', async () => {
    const { page, context } = await openPage(browser, `${hub.url}/studio/${SHOW}`, host, { width: 1440, height: 900 });
    try {
      await page.getByTestId('go-live').waitFor();
      const stage = (await page.locator('.studio-stage').boundingBox())!;
      const side = (await page.locator('.studio-side').boundingBox())!;
      assert.ok(side.x >= stage.x + stage.width, `the side column is right of the camera: ${JSON.stringify({ stage, side })}`);
      assert.ok(Math.abs(side.y - stage.y) < 2, 'both start at the top');
    } finally {
      await context.close();
    }
  });

  test('LiveKit unreachable: said with the server it tried; the camera is released; phone layout fits', async () => {
    const { page, context } = await openPage(browser, `${hub.url}/studio/${SHOW}`, host, { width: 390, height: 844 });
    await context.grantPermissions(['camera', 'microphone']);
    try {
      // Phone first: nothing wider than the screen, touch targets at least 44 px.
      await page.getByTestId('go-live').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll at 390 px');
      for (const sel of ['[data-testid="go-live"]', '[data-testid="agent-toggle"]', 'select']) {
        const box = await page.locator(sel).first().boundingBox();
        assert.ok(box && box.height >= 44 && box.width >= 44, `${sel} is a 44 px touch target: ${JSON.stringify(box)}`);
      }
      await page.getByTestId('go-live').click();
      const error = page.getByTestId('studio-error');
      await error.waitFor({ timeout: 60_000 });
      assert.equal(await error.getAttribute('data-problem'), 'livekit_unreachable');
      // The hub asks LiveKit who is in the room before it gives an identity, so the hub's 503 says it
      // first (naming the server); a LiveKit that dies after the token says the same from the browser.
      const said = await error.innerText();
      assert.match(said, /video server .*cannot be reached/);
      assert.match(said, /ws:\/\/127\.0\.0\.1:\d+/);
      assert.equal(await page.getByTestId('studio').getAttribute('data-phase'), 'idle');
      // The tracks were stopped: the preview has nothing live in it.
      const live = await page.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="preview"]');
        const stream = v?.srcObject as MediaStream | null;
        return stream ? stream.getTracks().filter((t) => t.readyState === 'live').length : 0;
      });
      assert.equal(live, 0);
    } finally {
      await context.close();
    }
  });
});
