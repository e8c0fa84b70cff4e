import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { postJson, readHistory, type TestHub } from '@showwire/testkit';
import { screenshot, startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { lines, publish } from './helpers/publish.js';

/** Short alert thresholds, so the hub's rules fire within a test; heartbeats quick to settle the connection. */
const ENV = {
  HUB_HEARTBEAT_MS: '300',
  HUB_ALERT_TICK_MS: '100',
  HUB_ALERT_STREAM_STALLED_MS: '2500',
  HUB_ALERT_AGENT_MISSING_MS: '0',
  HUB_ALERT_AGENT_SILENT_MS: '0',
  HUB_WEBHOOK_ALLOW_PRIVATE: 'true',
};

const order = (page: Page, selector = '.cards [data-show]') => page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('data-show')));
const troubleCount = async (page: Page) => Number(await page.locator('[data-filter="trouble"] .count').innerText());
const noSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('supervision in the browser', () => {
  let rig: BrowserRig | undefined;
  let hub: TestHub;
  let agent: string;
  let staff: string;
  let open: BrowserRig['open'];

  before(async () => {
    rig = await startRig(ENV);
    ({ hub, agent, staff, open } = rig);
  });
  after(() => rig?.close());

  test('wall: recoverable errors are not trouble; a stalled and a failed show rank first, resolve on recovery; ack is seen by everyone', async () => {
    const calm = ['calm-1', 'calm-2', 'calm-3', 'calm-4'];
    for (const s of calm) {
      await publish(hub.url, agent, s, [
        { type: 'show_started', title: `Calm ${s}` },
        { type: 'agent_ready' },
        { type: 'agent_error', message: 'text-to-speech request timed out; retrying', recoverable: true },
        { type: 'turn_metrics', e2eMs: 800 + calm.indexOf(s) * 100 },
      ]);
    }
    // The calm shows keep talking (every 300 ms, bounded to 60 s) so that only the stalled one stalls.
    let talking = true;
    const chatter = (async () => {
      for (let i = 0; talking && i < 200; i++) {
        for (const s of calm) await publish(hub.url, agent, s, [{ type: 'transcript', text: `chat ${i}`, role: 'user', final: true }]);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    try {
      const { page, context } = await open('/', staff);
      const other = await open('/', await hub.token('staff', ['*'], 3600, 'kim'));
      try {
        await page.locator('[data-show="calm-4"]').waitFor({ timeout: 30_000 });
        // A recoverable error would have raised at once (the hub evaluates each event as it is stored).
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(await troubleCount(page), 0, 'recoverable errors are history');
        assert.match(await page.locator('[data-show="calm-1"] [data-show-id]').innerText(), /^calm-1$/, 'the show id is on the card');

        await publish(hub.url, agent, 'stalls', [{ type: 'show_started', title: 'Goes quiet' }, { type: 'agent_ready' }]);
        await publish(hub.url, agent, 'fails', [
          { type: 'show_started', title: 'Agent dies' },
          { type: 'agent_ready' },
          { type: 'agent_error', message: 'LLM quota exhausted', recoverable: false },
        ]);
        await page.waitForFunction(() => document.querySelector('[data-show="stalls"]')?.getAttribute('data-trouble')?.split(' ').includes('stream_stalled'), null, { timeout: 20_000 });
        await page.waitForFunction(() => document.querySelector('[data-show="fails"]')?.getAttribute('data-trouble')?.split(' ').includes('agent_error'), null, { timeout: 20_000 });
        assert.equal(await troubleCount(page), 2);
        // Both critical, the older alert first (the fatal error was raised as it was stored), then the calm ones by p95 latency, slowest first.
        const ranked = await order(page);
        assert.deepEqual(ranked.slice(0, 2), ['fails', 'stalls']);
        assert.deepEqual(ranked.slice(2), ['calm-4', 'calm-3', 'calm-2', 'calm-1']);
        assert.match(await page.locator('[data-show="fails"]').innerText(), /cannot recover: LLM quota exhausted/);
        await screenshot(page, 'wall-alerts');

        // Acknowledge in one page; the other page sees who did it.
        const ackButton = page.locator('[data-testid="alerts"] [data-rule="agent_error"] [data-ack]');
        await ackButton.click();
        await other.page.locator('[data-testid="alerts"] [data-rule="agent_error"] [data-acked-by="staff-test"]').waitFor({ timeout: 20_000 });

        // Recovery: both resolve, the Trouble count goes back to 0.
        await publish(hub.url, agent, 'stalls', [{ type: 'transcript', text: 'sorry, back', role: 'user', final: true }]);
        await publish(hub.url, agent, 'fails', [{ type: 'agent_ready' }]);
        await page.waitForFunction(() => document.querySelector('[data-filter="trouble"] .count')?.textContent === '0', null, { timeout: 20_000 });
        assert.equal(await page.locator('[data-testid="alerts"]').count(), 0, 'no open alerts left to list');

        // The compact list: same order, keyboard driven, no sideways scroll on a phone.
        await page.locator('[data-view="list"]').click();
        await page.locator('.show-list [data-show]').first().waitFor();
        await page.setViewportSize({ width: 390, height: 800 });
        assert.equal(await noSideways(page), 0, 'no horizontal scrolling at 390 px (list)');
        await page.locator('[data-view="cards"]').click();
        assert.equal(await noSideways(page), 0, 'no horizontal scrolling at 390 px (cards)');
        await page.locator('[data-view="list"]').click();
        const listed = await order(page, '.show-list [data-show]');
        await page.keyboard.press('j');
        await page.keyboard.press('j');
        await page.keyboard.press('k');
        assert.equal(await page.locator('.show-list [aria-selected="true"]').getAttribute('data-show'), listed[1]);
        await page.keyboard.press('Enter');
        await page.waitForURL(`**/shows/${listed[1]}`);
        await page.locator(`[data-testid="show-view"][data-show="${listed[1]}"]`).waitFor();
        assert.equal(await noSideways(page), 0, 'no horizontal scrolling at 390 px (show view)');
      } finally {
        await context.close();
        await other.context.close();
      }
    } finally {
      talking = false;
      await chatter;
    }
  });

  test('show view: per-turn latency, presence of two staff members, a control that fails is audited for everyone', async () => {
    const show = 'watched';
    await publish(hub.url, agent, show, [
      { type: 'show_started', title: 'Watched show' },
      { type: 'agent_ready' },
      { type: 'turn_metrics', eouDelayMs: 310, sttMs: 220, llmTtftMs: 480, ttsTtfbMs: 190, e2eMs: 1230 },
    ]);
    const sam = await open(`/shows/${show}`, await hub.token('staff', ['*'], 3600, 'sam'));
    const kim = await open(`/shows/${show}`, await hub.token('staff', ['*'], 3600, 'kim'));
    try {
      await waitAttr(sam.page, '[data-testid="presence"]', 'data-watchers', (v) => v === 'kim');
      await waitAttr(kim.page, '[data-testid="presence"]', 'data-watchers', (v) => v === 'sam');
      const row = sam.page.locator('[data-testid="turn-waterfall"] [data-turn]').first();
      assert.equal(await row.locator('[data-field="eouDelayMs"]').innerText(), '310 ms');
      assert.equal(await row.locator('[data-field="e2eMs"]').innerText(), '1.2 s');

      // This hub has no LiveKit: the page offers no pause (it says why); a pause sent anyway fails
      // with the hub's reason, and the audit reaches both pages.
      await waitAttr(sam.page, '[data-controls-blocked]', 'data-controls-blocked', (v) => v === 'livekit_unconfigured');
      assert.equal(await sam.page.locator('[data-control="pause"]').isDisabled(), true);
      const refused = await postJson(`${hub.url}/api/shows/${show}/control`, { action: 'pause' }, await hub.token('staff', ['*'], 3600, 'sam'));
      assert.equal(refused.status, 503);
      assert.match(refused.body.message, /LiveKit is not configured/);
      await kim.page.locator('[data-action="control"] [data-control-by="sam"]').waitFor({ timeout: 20_000 });
      assert.match(await kim.page.locator('[data-action="control"]').first().innerText(), /PAUSE\s+by sam — failed: LiveKit is not configured/);

      // kim leaves: sam sees nobody else.
      await kim.context.close();
      await waitAttr(sam.page, '[data-testid="presence"]', 'data-watchers', (v) => v === '');
    } finally {
      await sam.context.close();
      await kim.context.close().catch(() => {});
    }
  });

  test('a token that expires mid-show is refreshed: the page stays, and every event arrives exactly once', async () => {
    const show = 'long-show';
    await publish(hub.url, agent, show, [{ type: 'show_started', title: 'Long show' }]);
    // Six seconds of life: refreshed after about one, and the hub ends the first stream at its exp.
    const { page, context } = await open(`/shows/${show}`, await hub.token('staff', ['*'], 6, 'sam'));
    try {
      await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live');
      const first = await page.evaluate(() => sessionStorage.getItem('showwire.token'));
      for (let i = 0; i < 24; i++) {
        await publish(hub.url, agent, show, lines(i * 5, 5));
        await new Promise((r) => setTimeout(r, 400));
      }
      const history = await readHistory(hub.url, show, staff);
      const total = history.length;
      await waitAttr(page, '[data-testid="show-view"]', 'data-event-count', (v) => v === String(total), 30_000);
      assert.equal(await page.locator('[data-signin-reason]').count(), 0, 'never sent to the sign-in page');
      assert.notEqual(await page.evaluate(() => sessionStorage.getItem('showwire.token')), first, 'the token was refreshed');
      // 120 lines, each once (a replayed duplicate would be a 121st).
      assert.equal(await page.locator('[data-line-count]').getAttribute('data-line-count'), '120');
      assert.equal(history.filter((e) => e.type === 'transcript').length, 120);
    } finally {
      await context.close();
    }
  });

  test('the webhooks page and /stream-test fit a 390 px phone: no sideways scroll', async () => {
    const admin = await hub.token('admin');
    const res = await fetch(`${hub.url}/api/webhooks/endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/a/rather/long/path/to/a/webhook/receiver/of/the/shop', description: 'shop' }),
    });
    assert.equal(res.status, 201);
    for (const path of ['/webhooks', '/stream-test']) {
      const { page, context } = await open(path, admin, { width: 390, height: 800 });
      try {
        if (path === '/webhooks') await page.getByText('/a/rather/long/path', { exact: false }).first().waitFor({ timeout: 20_000 });
        else await page.locator('#send-body').waitFor();
        assert.equal(await noSideways(page), 0, `${path} scrolls sideways at 390 px`);
      } finally {
        await context.close();
      }
    }
  });

  test('opt-in: a critical alert raised while the page is open sounds and notifies; nothing before opting in', async () => {
    const context = await rig!.browser.newContext({ viewport: { width: 1440, height: 900 } });
    // The page's Notification, recorded (headless Chromium shows none): granted, as if the user allowed it.
    await context.addInitScript({
      content: `window.__notes = []; window.Notification = class { static permission = 'granted'; static requestPermission() { return Promise.resolve('granted'); } constructor(title, o) { window.__notes.push({ title, body: o && o.body }); } };`,
    });
    const page = await context.newPage();
    try {
      await page.goto(`${hub.url}/?token=${staff}`);
      await page.locator('[data-testid="wall"]').waitFor();
      await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live');
      await publish(hub.url, agent, 'quiet-fail', [{ type: 'show_started', title: 'Before opting in' }, { type: 'agent_error', message: 'first', recoverable: false }]);
      await page.waitForFunction(() => document.querySelector('[data-show="quiet-fail"]')?.getAttribute('data-trouble')?.includes('agent_error'), null, { timeout: 20_000 });
      assert.equal(await page.locator('[data-notify]').getAttribute('data-announced'), '0');

      await page.locator('[data-notify] input').check();
      await publish(hub.url, agent, 'loud-fail', [{ type: 'show_started', title: 'After opting in' }, { type: 'agent_error', message: 'second', recoverable: false }]);
      const notes = () => page.evaluate(() => (window as unknown as { __notes: Array<{ title: string; body: string }> }).__notes);
      await page.waitForFunction(() => (window as unknown as { __notes: unknown[] }).__notes.length > 0, null, { timeout: 20_000 });
      // Other shows of this hub may raise critical alerts meanwhile; the one before opting in never sounds.
      const got = await notes();
      assert.deepEqual(got.filter((n) => n.title.includes('opting in')), [{ title: 'Agent failed: After opting in', body: 'the agent failed and cannot recover: second' }]);
      assert.equal(Number(await page.locator('[data-notify]').getAttribute('data-announced')), got.length);
    } finally {
      await context.close();
    }
  });

  test('an alert links to its moment: the transcript opens at the last line before it, not at the live edge', async () => {
    const show = 'moment-show';
    await publish(hub.url, agent, show, [{ type: 'show_started', title: 'Moments' }, { type: 'agent_ready' }]);
    await publish(hub.url, agent, show, lines(0, 300, 'before'));
    await publish(hub.url, agent, show, [{ type: 'agent_error', message: 'voice died', recoverable: false }]);
    await publish(hub.url, agent, show, lines(0, 300, 'after'));
    const { page, context } = await open('/', staff);
    try {
      const alertRow = page.locator('[data-testid="alerts"] li', { has: page.locator(`a[href^="/shows/${show}#e"]`) });
      await alertRow.first().waitFor({ timeout: 20_000 });
      await alertRow.first().locator('[data-moment-link]').click();
      await page.locator('[data-testid="show-view"]').waitFor();
      const moment = page.locator('[data-moment]');
      await moment.waitFor({ timeout: 20_000 });
      assert.equal(await moment.locator('.line-text').innerText(), 'before 299');
      await moment.scrollIntoViewIfNeeded();
      assert.ok(await moment.isVisible());
      assert.equal(await page.getByText('after 299', { exact: true }).count(), 0, 'not at the live edge');
    } finally {
      await context.close();
    }
  });
});
