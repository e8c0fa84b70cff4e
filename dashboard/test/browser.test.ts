import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getJson, type TestHub } from '@showwire/testkit';
import { screenshot, startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { lines, publish } from './helpers/publish.js';

/** The built dashboard in Chromium against a real in-process hub. Heartbeats every 300 ms keep the connection state quick to settle. */
describe('dashboard in the browser', () => {
  let rig: BrowserRig | undefined;
  let hub: TestHub;
  let agent: string;
  let staff: string;
  let open: BrowserRig['open'];

  before(async () => {
    rig = await startRig({ HUB_HEARTBEAT_MS: '300' });
    ({ hub, agent, staff, open } = rig);
    await publish(hub.url, agent, 'spring-sneakers', [
      { type: 'show_started', title: 'Spring Sneaker Drop' },
      { type: 'agent_ready' },
      { type: 'agent_state', state: 'listening' },
      { type: 'viewer_joined', viewers: 12 },
      { type: 'transcript', text: 'Hi everyone, welcome to the drop!', role: 'user', participant: 'Maya' },
    ]);
    await publish(hub.url, agent, 'kitchen-live', [
      { type: 'show_started', title: 'Kitchen Gadgets Live' },
      { type: 'agent_error', message: 'LLM request timed out', recoverable: false },
    ]);
    await publish(hub.url, agent, 'vintage-finds', [{ type: 'show_started', title: 'Vintage Finds' }, { type: 'show_ended' }]);
  });

  after(() => rig?.close());

  test('the hub serves the app: hashed assets cached for good, index.html never, SPA routes fall back, /api 404s stay JSON', async () => {
    const index = await fetch(`${hub.url}/shows/anything`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const js = await fetch(`${hub.url}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);
    const api = await getJson(`${hub.url}/api/nope`);
    assert.equal(api.status, 404);
    assert.equal(api.body.error, 'not_found');
  });

  test('wall: shows from GET /api/shows, then live events; trouble first; search; token leaves the URL', async () => {
    const { page, context } = await open('/', staff);
    try {
      await page.locator('[data-show="spring-sneakers"]').waitFor({ timeout: 30_000 });
      assert.ok(!page.url().includes('token='), `token still in ${page.url()}`);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('showwire.token')), staff);

      // The show with an agent error sorts first; the ended one last.
      const order = await page.locator('.cards [data-show]').evaluateAll((els) => els.map((e) => e.getAttribute('data-show')));
      assert.deepEqual(order, ['kitchen-live', 'spring-sneakers', 'vintage-finds']);
      assert.match((await page.locator('[data-show="kitchen-live"]').getAttribute('data-trouble')) ?? '', /agent_error/);
      assert.match(await page.locator('[data-show="kitchen-live"]').innerText(), /LLM request timed out/);

      await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live');
      await publish(hub.url, agent, 'spring-sneakers', [
        { type: 'viewer_joined', viewers: 40 },
        { type: 'agent_state', state: 'speaking' },
        { type: 'transcript', text: 'These runners are 20% off tonight.', role: 'agent' },
        { type: 'product_created', product: { id: 'p-run', name: 'Cloud Runner', price: 89, currency: 'USD' } },
      ]);
      const card = page.locator('[data-show="spring-sneakers"]');
      await waitAttr(page, '[data-show="spring-sneakers"] [data-viewers]', 'data-viewers', (v) => v === '40');
      await waitAttr(page, '[data-show="spring-sneakers"] [data-products]', 'data-products', (v) => v === '1');
      assert.match(await card.locator('[data-last-line]').innerText(), /20% off tonight/);
      assert.equal(await card.locator('[data-agent-state]').getAttribute('data-agent-state'), 'speaking');

      // A show that appears after the page loaded gets its card from the stream alone.
      await publish(hub.url, agent, 'late-night', [{ type: 'show_started', title: 'Late Night Deals' }]);
      await page.locator('[data-show="late-night"]').waitFor({ timeout: 30_000 });

      await screenshot(page, 'wall');

      await page.getByPlaceholder('Search by title…').fill('sneak');
      await page.waitForFunction(() => document.querySelectorAll('.cards [data-show]').length === 1, null, { timeout: 10_000 });
      assert.equal(await page.locator('.cards [data-show]').getAttribute('data-show'), 'spring-sneakers');

      // Narrow phones still get a usable wall.
      await page.getByPlaceholder('Search by title…').fill('');
      await page.setViewportSize({ width: 360, height: 740 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'no horizontal scrolling at 360 px');
      await screenshot(page, 'wall-360');
    } finally {
      await context.close();
    }
  });

  test('show view: history first, then live; interim text settles into the same final line; actions and products', async () => {
    const { page, context } = await open('/', staff);
    try {
      await page.locator('[data-show="spring-sneakers"]').click();
      await page.waitForURL(/\/shows\/spring-sneakers$/);
      await waitAttr(page, '[data-testid="show-view"]', 'data-loading', (v) => v === 'false');
      await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live');
      const ids = await publish(hub.url, agent, 'spring-sneakers', [{ type: 'transcript', text: 'So today we have', role: 'user', participant: 'Maya', final: false, itemId: 'utt-1' }]);
      const interim = page.locator('[data-item="utt-1"]');
      await waitAttr(page, '[data-item="utt-1"]', 'data-final', (v) => v === 'false');
      assert.match(await interim.innerText(), /So today we have/);
      assert.equal(await interim.getAttribute('data-id'), ids[0]);
      const before = Number(await page.locator('[data-line-count]').getAttribute('data-line-count'));

      const [finalId] = await publish(hub.url, agent, 'spring-sneakers', [
        { type: 'transcript', text: 'So today we have the Cloud Runner in three colours.', role: 'user', participant: 'Maya', final: true, itemId: 'utt-1' },
        { type: 'agent_speech_started' },
        { type: 'tool_call', name: 'create_product', args: { name: 'Trail Jacket', price: 129 }, output: { id: 'p-jacket' }, durationMs: 412 },
        { type: 'product_created', product: { id: 'p-jacket', name: 'Trail Jacket', price: 129, currency: 'EUR' } },
        { type: 'product_added_to_show', productId: 'p-jacket' },
        { type: 'viewer_joined', viewers: 55 },
      ]);
      await waitAttr(page, '[data-item="utt-1"]', 'data-final', (v) => v === 'true');
      assert.match(await interim.innerText(), /Cloud Runner in three colours/);
      assert.equal(await interim.getAttribute('data-id'), finalId, 'the line is the final event now');
      assert.equal(await page.locator('[data-item="utt-1"]').count(), 1, 'the interim line became the final one, not a second line');
      assert.equal(Number(await page.locator('[data-line-count]').getAttribute('data-line-count')), before);
      await page.locator('[data-agent-speaking]').waitFor({ timeout: 10_000 });
      await page.locator('[data-product="p-jacket"]').waitFor({ timeout: 10_000 });
      assert.match(await page.locator('[data-action="tool_call"]').first().innerText(), /create_product[\s\S]*ok[\s\S]*412 ms[\s\S]*Trail Jacket/);
      await waitAttr(page, '.viewers [data-viewers]', 'data-viewers', (v) => v === '55');

      // Every event of the show exactly once: the count the page folded equals the log's.
      const all = await getJson(`${hub.url}/api/shows/spring-sneakers/events?limit=1000`, staff);
      await waitAttr(page, '[data-testid="show-view"]', 'data-event-count', (v) => v === String(all.body.events.length));
      assert.equal(await page.locator('[data-testid="show-view"]').getAttribute('data-last-event-id'), all.body.events.at(-1).id);

      // Keyboard: the transcript is reachable and scrollable without a mouse; new final lines are announced.
      assert.equal(await page.locator('.transcript-scroll').getAttribute('tabindex'), '0');
      assert.match(await page.locator('[aria-live="polite"]').innerText(), /Cloud Runner in three colours/);
      await screenshot(page, 'show');
    } finally {
      await context.close();
    }
  });

  test('opening a long show mid-way: paged history, then live, with events published meanwhile; nothing missing, nothing twice', async () => {
    const show = 'marathon';
    await publish(hub.url, agent, show, [{ type: 'show_started', title: 'Marathon Sale' }]);
    for (let i = 0; i < 3; i++) await publish(hub.url, agent, show, lines(i * 500, 500));
    const { page, context } = await open(`/shows/${show}`, staff);
    try {
      // Publish while the page loads its 1,501 events of history and connects.
      for (let i = 0; i < 5; i++) await publish(hub.url, agent, show, lines(1500 + i * 10, 10));
      await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live', 60_000);
      await publish(hub.url, agent, show, lines(1550, 10));
      await waitAttr(page, '[data-line-count]', 'data-line-count', (v) => v === '1560', 60_000);
      await waitAttr(page, '[data-testid="show-view"]', 'data-event-count', (v) => v === '1561');
      // The newest line is on screen (the view follows the live edge).
      await page.getByText('line 1559', { exact: true }).waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
    }
  });

  test('the show view at 360 px: one column, nothing wider than the screen', async () => {
    const { page, context } = await open('/shows/spring-sneakers', staff, { width: 360, height: 740 });
    try {
      await waitAttr(page, '[data-testid="show-view"]', 'data-loading', (v) => v === 'false');
      await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live');
      await page.locator('.line').first().waitFor({ timeout: 30_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'no horizontal scrolling at 360 px');
      // Nothing sticks out of the viewport on the right (clipped content would hide without scrolling);
      // the carousel and, on a phone, the header's nav scroll sideways within themselves.
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('header *, main *')]
          .filter((el) => !el.closest('.carousel, .nav, .sr-only, .table-wrap') && el.getBoundingClientRect().right > window.innerWidth + 0.5)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
      );
      assert.deepEqual(wide, []);
      await screenshot(page, 'show-360');
      await page.locator('.show-side').scrollIntoViewIfNeeded();
      await screenshot(page, 'show-360-side');
    } finally {
      await context.close();
    }
  });

  test('a token that expires while the page watches: the sign-in screen says the session expired (no retrying into offline)', async () => {
    const short = await hub.token('staff', ['*'], 3);
    const { page, context } = await open('/shows/spring-sneakers', short);
    try {
      await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live');
      await page.locator('[data-signin-reason]').waitFor({ timeout: 60_000 });
      assert.match(await page.locator('[data-signin-reason]').innerText(), /^Your session expired\./);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('showwire.token')), null, 'the dead token is dropped');
      assert.equal(await page.locator('[data-connection]').count(), 0);
      await screenshot(page, 'session-expired');
    } finally {
      await context.close();
    }
  });

  test('a host token sees only its show', async () => {
    const host = await hub.token('host', ['spring-sneakers']);
    const { page, context } = await open('/', host);
    try {
      // One show: the host lands in its studio, with the show's transcript beside the camera.
      await page.waitForURL(/\/studio\/spring-sneakers$/, { timeout: 30_000 });
      await page.getByTestId('studio').waitFor();
      await waitAttr(page, '[data-line-count]', 'data-line-count', (v) => Number(v) >= 2);
      assert.equal(await page.locator('[data-testid="show-view"]').count(), 0, 'not the staff page');
      // Its show's staff address is the studio too: a host has one layout.
      await page.goto(`${hub.url}/shows/spring-sneakers`);
      await page.getByTestId('studio').waitFor({ timeout: 30_000 });
      await waitAttr(page, '[data-line-count]', 'data-line-count', (v) => Number(v) >= 2);

      // Another show's page is refused, and says so.
      await page.goto(`${hub.url}/shows/kitchen-live`);
      await page.getByText('This sign-in cannot watch “kitchen-live”').waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('[data-line-count], [data-control]').count(), 0, 'nothing of the show, nothing to control');
    } finally {
      await context.close();
    }

    // A host of two shows gets a wall of exactly those (the hub filters `GET /api/shows` and the stream).
    const twoShows = await hub.token('host', ['spring-sneakers', 'vintage-finds']);
    const second = await open('/', twoShows);
    try {
      await second.page.locator('[data-show="spring-sneakers"]').waitFor({ timeout: 30_000 });
      await waitAttr(second.page, '[data-connection]', 'data-connection', (v) => v === 'live');
      await publish(hub.url, agent, 'kitchen-live', [{ type: 'viewer_joined', viewers: 3 }]);
      await publish(hub.url, agent, 'vintage-finds', [{ type: 'viewer_joined', viewers: 7 }]);
      await waitAttr(second.page, '[data-show="vintage-finds"] [data-viewers]', 'data-viewers', (v) => v === '7');
      const shown = await second.page.locator('.cards [data-show]').evaluateAll((els) => els.map((e) => e.getAttribute('data-show')).sort());
      assert.deepEqual(shown, ['spring-sneakers', 'vintage-finds']);
    } finally {
      await second.context.close();
    }
  });
});
