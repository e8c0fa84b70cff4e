import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { freeTcpPort, postJson, startHub, startLiveKit, type LiveKitServer, type TestHub } from '@showwire/testkit';
import { ensureBuilt, launch, openPage, screenshot, waitAttr } from './helpers/browser.js';

/**
 * What a host meets before going live, said in words on the studio page, in a real Chromium with
 * fake camera and microphone devices: a refused permission, and a LiveKit server nobody answers
 * at (the hub mints the host's token; the browser cannot reach the server it names); in a
 * Chromium with no devices at all: no camera or microphone; and, live on a real LiveKit server
 * with no agent worker running, an agent that never joins.
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
    browser = await launch(['--use-fake-device-for-media-stream']);
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
      for (const sel of ['[data-testid="go-live"]', '[data-testid="agent-toggle"]', '.studio-devices select']) {
        const box = await page.locator(sel).first().boundingBox();
        assert.ok(box && box.height >= 44 && box.width >= 44, `${sel} is a 44 px touch target: ${JSON.stringify(box)}`);
      }
      await page.getByTestId('go-live').click();
      const error = page.getByTestId('studio-error');
      await error.waitFor({ timeout: 60_000 });
      assert.equal(await error.getAttribute('data-problem'), 'livekit_unreachable');
      // The hub checks the server before it mints the token (503), and names the server it tried.
      assert.match(await error.innerText(), /The video server cannot be reached right now \(LiveKit server at ws:\/\/127\.0\.0\.1:\d+ is unreachable/);
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

describe('the studio says what went wrong: no device', () => {
  let hub: TestHub;
  let browser: Browser;
  before(async () => {
    ensureBuilt();
    hub = await startHub({ LIVEKIT_URL: 'ws://127.0.0.1:9', LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret-secret-secret-secret-secret' });
    // No fake devices: this machine has no camera and no microphone, as a desktop without them.
    browser = await launch(['--use-fake-ui-for-media-stream']);
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  test('no camera or microphone: the host is told to plug one in, nothing goes live', async () => {
    const show = 'studio-no-device';
    const { page, context } = await openPage(browser, `${hub.url}/studio/${show}`, await hub.token('host', [show], 600, 'hana'), { width: 390, height: 844 });
    await context.grantPermissions(['camera', 'microphone']);
    try {
      assert.equal(await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind !== 'audiooutput').length), 0, 'no input device at all');
      await page.getByTestId('go-live').click();
      const error = page.getByTestId('studio-error');
      await error.waitFor({ timeout: 30_000 });
      assert.equal(await error.getAttribute('data-problem'), 'no_device');
      assert.match(await error.innerText(), /No camera or microphone was found\. Plug one in/);
      assert.equal(await page.getByTestId('studio').getAttribute('data-phase'), 'idle');
      assert.equal(await page.getByTestId('go-live').isEnabled(), true, 'the host can try again');
    } finally {
      await context.close();
    }
  });
});

describe('the studio says what went wrong: the agent does not join', () => {
  let livekit: LiveKitServer;
  let hub: TestHub;
  let browser: Browser;
  before(async () => {
    ensureBuilt();
    livekit = await startLiveKit();
    // No agent worker runs: a dispatch is accepted by LiveKit, and nobody takes it.
    hub = await startHub({ LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret, AGENT_NAME: `nobody-${process.pid}` });
    browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  });
  after(async () => {
    await browser?.close();
    await livekit?.stop();
    await hub?.close();
  });

  test('live at 390 × 844: the agent bar is thumb-sized and says why it waits; a dispatched agent that never joins is said after the timeout', async () => {
    const show = 'studio-agent-never-joins';
    // The join timeout is the page's (?agentJoinTimeout, seconds): 45 s by default, 3 s here.
    const { page, context } = await openPage(browser, `${hub.url}/studio/${show}?agentJoinTimeout=3`, await hub.token('host', [show], 600, 'hana'), { width: 390, height: 844 });
    try {
      await page.getByTestId('go-live').click();
      await waitAttr(page, '[data-testid="studio"]', 'data-phase', (v) => v === 'live', 60_000);

      // The agent bar: big status, pause/resume/say disabled with the reason, every target ≥ 44 px.
      const bar = page.getByTestId('agent-bar');
      await waitAttr(page, '[data-testid="agent-bar"] [data-controls-blocked]', 'data-controls-blocked', (v) => v === 'no_agent');
      assert.match(await bar.locator('[data-controls-blocked]').innerText(), /^No voice agent is in the show: start it first/);
      for (const action of ['pause', 'resume', 'say']) assert.equal(await bar.locator(`[data-control="${action}"]`).isDisabled(), true, `${action} waits for an agent`);
      const status = await page.getByTestId('agent-status').evaluate((el) => ({ text: el.textContent, size: parseFloat(getComputedStyle(el).fontSize) }));
      assert.equal(status.text, 'No agent');
      assert.ok(status.size >= 20, `the agent's status is big: ${status.size} px`);
      for (const sel of ['[data-control="pause"]', '[data-control="resume"]', '[data-control="say"]', '#studio-say', '[data-testid="agent-toggle"]', '[data-testid="end-show"]']) {
        const box = await page.locator(sel).boundingBox();
        assert.ok(box && box.height >= 44 && box.width >= 44, `${sel} is a 44 px touch target: ${JSON.stringify(box)}`);
      }
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scroll at 390 px');
      await bar.scrollIntoViewIfNeeded();
      await screenshot(page, 'studio-agent-bar-390');

      const dispatchedAt = Date.now();
      await page.getByTestId('agent-toggle').click();
      await page.getByText('Agent joining…').waitFor({ timeout: 10_000 });
      const error = page.getByTestId('studio-error');
      await error.waitFor({ timeout: 30_000 });
      assert.ok(Date.now() - dispatchedAt >= 3000, 'not before the timeout');
      assert.equal(await error.getAttribute('data-problem'), 'agent');
      assert.match(await error.innerText(), /The voice agent has not joined after 3 s\. No agent worker may be running/);
      assert.equal(await page.getByTestId('agent-toggle').innerText(), 'Start voice agent', 'the host can try again');
      assert.equal(await page.getByTestId('agent-toggle').isEnabled(), true);
      assert.equal(await page.getByTestId('studio').getAttribute('data-phase'), 'live', 'the stream goes on');
    } finally {
      await context.close();
    }
  });
});
