import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { getJson, type TestHub } from '@showwire/testkit';
import { screenshot, startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];
const noSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('show pages that know the show (this hub has no LiveKit)', () => {
  let rig: BrowserRig | undefined;
  let hub: TestHub;

  before(async () => {
    rig = await startRig({ HUB_HEARTBEAT_MS: '300' });
    hub = rig.hub;
    await publish(hub.url, rig.agent, 'on-air', [
      { type: 'show_started', title: 'A long title for a show on the air tonight' },
      { type: 'agent_ready' },
      { type: 'viewer_joined', viewers: 40 },
      { type: 'viewer_left', viewers: 12 },
      { type: 'turn_metrics', eouDelayMs: 310, sttMs: 220, llmTtftMs: 480, ttsTtfbMs: 190, e2eMs: 1230 },
      { type: 'turn_metrics', eouDelayMs: 250, sttMs: 150, llmTtftMs: 2900, ttsTtfbMs: 420, e2eMs: 3800 },
      { type: 'product_created', product: { id: 'p-broken', name: 'Broken Lamp', price: 10, currency: 'USD', imageUrl: 'http://127.0.0.1:9/nothing.png' } },
    ]);
    await publish(hub.url, rig.agent, 'done', [{ type: 'show_started', title: 'Done' }, { type: 'agent_ready' }, { type: 'show_ended' }]);
  });

  after(() => rig?.close());

  test('the hub answers capabilities with GET /api/shows/:show, per role and state', async () => {
    const staffLive = await getJson(`${hub.url}/api/shows/on-air`, rig!.staff);
    assert.equal(staffLive.status, 200);
    assert.deepEqual(staffLive.body.capabilities, { livekit: 'unconfigured', actions: [], controlsBlocked: 'livekit_unconfigured', listen: false, listenBlocked: 'livekit_unconfigured' });
    const staffEnded = await getJson(`${hub.url}/api/shows/done`, rig!.staff);
    assert.equal(staffEnded.body.capabilities.controlsBlocked, 'ended');
    const host = await getJson(`${hub.url}/api/shows/on-air`, await hub.token('host', ['on-air']));
    assert.equal(host.body.capabilities.listenBlocked, 'role');
    const missing = await getJson(`${hub.url}/api/shows/nope`, rig!.staff);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'not_found');
  });

  for (const size of SIZES) {
    test(`${size.width} px: a live show without LiveKit: controls and listen-in disabled with the reason; a waterfall never clipped; peak and current viewers; a broken product image falls back`, async () => {
      const { page, context } = await rig!.open('/shows/on-air', rig!.staff, size);
      try {
        await waitAttr(page, '[data-controls-blocked]', 'data-controls-blocked', (v) => v === 'livekit_unconfigured');
        assert.match(await page.locator('[data-controls-blocked]').innerText(), /LiveKit is not configured on this hub/);
        for (const action of ['pause', 'resume', 'end_agent', 'redispatch', 'end_show']) assert.equal(await page.locator(`[data-control="${action}"]`).isDisabled(), true, action);
        assert.equal(await page.locator('#say-text').isDisabled(), true);
        assert.equal(await page.locator('[data-listen-toggle]').isDisabled(), true);
        assert.match(await page.locator('[data-listen-blocked]').innerText(), /LiveKit is not configured/);

        assert.equal(await page.locator('[data-viewers]').first().getAttribute('data-viewers'), '12');
        assert.equal(await page.locator('[data-viewer-peak]').innerText(), '40');

        const turns = page.locator('[data-testid="turn-waterfall"] [data-turn]');
        assert.equal(await turns.count(), 2);
        assert.equal(await turns.first().locator('[data-field="e2eMs"]').innerText(), '3.8 s', 'newest first, seconds from 1 s on');
        assert.equal(await turns.nth(1).locator('[data-field="eouDelayMs"]').innerText(), '310 ms');
        // Nothing of the waterfall lies outside its panel, and the page has no sideways scroll.
        const clipped = await page.locator('[data-testid="turn-waterfall"]').evaluate((panel) => {
          const box = panel.getBoundingClientRect();
          return [...panel.querySelectorAll('*')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5);
          }).length;
        });
        assert.equal(clipped, 0, 'no part of the waterfall sticks out of its panel');
        assert.equal(await noSideways(page), 0);
        await page.locator('[data-product="p-broken"] [data-thumb="initials"]').waitFor({ timeout: 10_000 });
        assert.equal(await page.locator('[data-product="p-broken"] img').count(), 0, 'no broken-image icon');
        // On a phone the title keeps its line instead of being cut to one letter.
        const title = await page.locator('.topbar-title h1').evaluate((h) => h.clientWidth);
        assert.ok(title > 300, `the title is ${title} px wide`);
        await screenshot(page, `show-live-${size.width}`);
      } finally {
        await context.close();
      }
    });
  }

  test('an ended show: every control and listen-in disabled, "The show has ended."', async () => {
    const { page, context } = await rig!.open('/shows/done', rig!.staff);
    try {
      await waitAttr(page, '[data-controls-blocked]', 'data-controls-blocked', (v) => v === 'ended');
      assert.equal(await page.locator('[data-controls-blocked]').innerText(), 'The show has ended.');
      assert.equal(await page.locator('[data-control="end_show"]').isDisabled(), true);
      assert.equal(await page.locator('[data-listen-blocked]').innerText(), 'The show has ended.');
    } finally {
      await context.close();
    }
  });

  test('an unknown show id is a "no such show" page, with nothing to control; it turns into the show when the show starts', async () => {
    for (const size of SIZES) {
      const id = `never-was-${size.width}`;
      const { page, context } = await rig!.open(`/shows/${id}`, rig!.staff, size);
      try {
        await page.locator('[data-testid="no-such-show"]').waitFor({ timeout: 20_000 });
        assert.match(await page.locator('[data-testid="no-such-show"]').innerText(), new RegExp(`No such show: “${id}”`));
        assert.equal(await page.locator('[data-control], [data-listen-toggle]').count(), 0);
        assert.equal(await noSideways(page), 0);
        if (size.width === 1440) {
          await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live');
          await publish(hub.url, rig!.agent, id, [{ type: 'show_started', title: 'Now it is' }]);
          await page.locator(`[data-testid="show-view"][data-show="${id}"]`).waitFor({ timeout: 20_000 });
        }
      } finally {
        await context.close();
      }
    }
  });

  test('not yours: a host on another host\'s show gets the reason and no controls; its own show opens as the studio', async () => {
    const host = await hub.token('host', ['mine']);
    const other = await rig!.open('/shows/on-air', host);
    try {
      await other.page.getByText('This sign-in cannot watch “on-air”').waitFor({ timeout: 20_000 });
      assert.equal(await other.page.locator('[data-control], [data-listen-toggle]').count(), 0);
    } finally {
      await other.context.close();
    }
    await publish(hub.url, rig!.agent, 'mine', [{ type: 'show_started', title: 'Mine' }]);
    const own = await rig!.open('/shows/mine', host);
    try {
      await own.page.getByTestId('studio').waitFor({ timeout: 20_000 });
      assert.equal(await own.page.locator('[data-testid="show-view"]').count(), 0);
      await waitAttr(own.page, '[data-controls-blocked]', 'data-controls-blocked', (v) => v === 'livekit_unconfigured');
      assert.match(await own.page.locator('[data-controls-blocked]').innerText(), /LiveKit is not configured on this hub/);
      for (const action of ['pause', 'resume', 'say']) assert.equal(await own.page.locator(`[data-control="${action}"]`).isDisabled(), true, `${action} is disabled`);
      assert.equal(await own.page.locator('[data-control="end_show"]').count(), 0, 'a host has no staff-only controls');
    } finally {
      await own.context.close();
    }
  });
});
