import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { postJson, type TestHub } from '@showwire/testkit';
import { CLOCK, DASHBOARD, screenshot, startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

/** The hub's stall rule fires within the test; the 100 busy shows are kept alive below that. */
const ENV = { HUB_HEARTBEAT_MS: '300', HUB_ALERT_TICK_MS: '100', HUB_ALERT_STREAM_STALLED_MS: '3000' };
const SHOWS = Array.from({ length: 100 }, (_, i) => `live-${String(i).padStart(3, '0')}`);
/** `UPDATE_DOC_IMAGES=1` refreshes the screenshots docs/dashboard.md shows; a plain run leaves the tracked files alone. */
const DOC_IMAGES = process.env.UPDATE_DOC_IMAGES === '1' ? join(DASHBOARD, '..', 'docs', 'images') : undefined;
const docImage = async (page: Page, name: string) => {
  if (!DOC_IMAGES) return;
  mkdirSync(DOC_IMAGES, { recursive: true });
  await page.screenshot({ path: join(DOC_IMAGES, name) });
};

const noSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
const shown = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('data-show')));

/** Events for many shows in one request (`POST /api/agent/data`: each event names its show). */
async function publishMany(hub: TestHub, token: string, events: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < events.length; i += 400) {
    const r = await postJson(`${hub.url}/api/agent/data`, events.slice(i, i + 400), token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
}

describe('the triage wall with 100 live shows', () => {
  let rig: BrowserRig | undefined;
  let hub: TestHub;
  let keepAlive: ReturnType<typeof setInterval> | undefined;

  before(async () => {
    rig = await startRig(ENV);
    hub = rig.hub;
    await publishMany(
      hub,
      rig.agent,
      SHOWS.flatMap((show, i) => [
        { show, type: 'show_started', title: `Show ${i}` },
        { show, type: 'agent_ready' },
        { show, type: 'agent_state', state: i % 3 ? 'listening' : 'speaking' },
        { show, type: 'viewer_joined', viewers: i * 3 },
        { show, type: 'turn_metrics', eouDelayMs: 300, sttMs: 200, llmTtftMs: 400 + i * 10, ttsTtfbMs: 200, e2eMs: 1100 + i * 10 },
      ]),
    );
    await publish(hub.url, rig.agent, 'stalled', [{ type: 'show_started', title: 'Goes quiet' }, { type: 'agent_ready' }, { type: 'agent_state', state: 'speaking' }]);
    for (const show of ['over-1', 'over-2']) await publish(hub.url, rig.agent, show, [{ type: 'show_started', title: `Over ${show}` }, { type: 'show_ended' }]);
    // One request a second keeps the 100 shows live (their last event stays young) while `stalled` goes quiet.
    let beat = 0;
    keepAlive = setInterval(() => {
      beat++;
      void publishMany(hub, rig!.agent, SHOWS.map((show) => ({ show, type: 'agent_state', state: beat % 2 ? 'listening' : 'thinking' }))).catch(() => {});
    }, 1000);
  });

  after(async () => {
    clearInterval(keepAlive);
    await rig?.close();
  });

  test('1440 × 900: 101 live tiles on one screen, the ended ones apart, alerts in a rail beside them, a stalled agent "unknown since", its alert still counting', async () => {
    const { page, context } = await rig!.open('/', rig!.staff);
    try {
      await page.locator('[data-view="tiles"]').click();
      await page.locator('.tiles [data-show="live-099"]').waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector('[data-show="stalled"]')?.getAttribute('data-trouble')?.includes('stream_stalled'), null, { timeout: 20_000 });

      const current = await shown(page, 'main > .tiles [data-show]');
      assert.equal(current.length, 101, 'the 100 shows and the stalled one');
      assert.equal(current[0], 'stalled', 'the show in trouble comes first');
      assert.deepEqual((await shown(page, '[data-testid="ended-shows"] [data-show]')).sort(), ['over-1', 'over-2']);
      assert.ok(!current.includes('over-1'), 'ended shows are not among the live ones');

      // Every live tile is on the first screen, and the alert rail sits to their right.
      const boxes = await page.locator('main > .tiles [data-show]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ bottom: r.bottom, right: r.right, top: r.top })));
      const lowest = Math.max(...boxes.map((b) => b.bottom));
      assert.ok(lowest <= 900, `the last live tile ends at ${lowest} px, below the 900 px screen`);
      const rail = await page.locator('.alert-rail').boundingBox();
      assert.ok(rail && rail.x >= Math.max(...boxes.map((b) => b.right)), 'the rail is beside the tiles');
      assert.ok(Math.min(...boxes.map((b) => b.top)) < 150, 'no alert box pushes the shows down');
      assert.equal(await noSideways(page), 0);

      // Stale data says so: the stalled show's last "speaking" is history.
      const stalledTile = page.locator('.tiles [data-show="stalled"]');
      assert.equal(await stalledTile.locator('[data-agent-state]').getAttribute('data-agent-state'), 'stale');
      const busy = await page.locator('.tiles [data-show="live-000"] [data-agent-state]').getAttribute('data-agent-state');
      assert.match(busy ?? '', /listening|thinking/);

      // The alert's "no events for N s" keeps counting while it is open.
      const message = page.locator('.alert-rail [data-rule="stream_stalled"] [data-alert-message]');
      const seconds = async () => Number(/no events for (\d+) s/.exec(await message.innerText())?.[1]);
      const first = await seconds();
      await page.waitForTimeout(3500);
      const later = await seconds();
      assert.ok(later >= first + 2, `the message went from ${first} s to ${later} s`);

      await screenshot(page, 'wall-100-tiles');
      await docImage(page, 'wall-100-tiles.png');

      // Keyboard first: j moves, ArrowDown a row, Enter opens.
      await page.keyboard.press('j');
      assert.equal(await page.locator('.tiles [aria-selected="true"]').getAttribute('data-show'), current[1]);
      await page.keyboard.press('ArrowDown');
      const columns = await page.evaluate(() => getComputedStyle(document.querySelector('.tiles')!).gridTemplateColumns.split(' ').length);
      assert.equal(await page.locator('.tiles [aria-selected="true"]').getAttribute('data-show'), current[1 + columns]);
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/shows/${current[1 + columns]}`);
    } finally {
      await context.close();
    }
  });

  test('the table: column headers, sorting by viewers both ways, the stalled agent "unknown since", no shifting cells', async () => {
    const { page, context } = await rig!.open('/', rig!.staff);
    try {
      await page.locator('[data-view="list"]').click();
      await page.locator('.show-list [data-show="live-099"]').waitFor({ timeout: 30_000 });
      const headers = await page.locator('main > .show-list thead th').allInnerTexts();
      assert.deepEqual(headers.map((h) => h.replace(/[▾▴]/g, '').trim()), ['Show', 'Status', 'Alerts', 'Agent', 'Viewers', 'p95', 'Last event']);

      await page.locator('main > .show-list [data-sort="viewers"]').click();
      const viewers = () => page.locator('main > .show-list tbody [data-viewers]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-viewers'))));
      const desc = await viewers();
      assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
      assert.equal(desc[0], 297);
      assert.equal(await page.locator('main > .show-list th[aria-sort]').getAttribute('aria-sort'), 'descending');
      await page.locator('main > .show-list [data-sort="viewers"]').click();
      const asc = await viewers();
      assert.deepEqual(asc, [...asc].sort((a, b) => a - b));

      await page.waitForFunction(() => document.querySelector('.show-list [data-show="stalled"] [data-agent-state]')?.getAttribute('data-agent-state') === 'stale', null, { timeout: 20_000 });
      assert.match(await page.locator('.show-list [data-show="stalled"] .col-agent').innerText(), new RegExp(`^unknown since ${CLOCK}$`));
      // A show with no latency yet keeps its p95 cell (empty), so the columns line up.
      const cells = await page.locator('main > .show-list tbody tr').evaluateAll((rows) => [...new Set(rows.map((r) => r.children.length))]);
      assert.deepEqual(cells, [7]);
      await screenshot(page, 'wall-100-table');
      await docImage(page, 'wall-100-table.png');
    } finally {
      await context.close();
    }
  });

  test('390 × 844: no sideways scroll in any view; the alerts are a drawer behind one button', async () => {
    const { page, context } = await rig!.open('/', rig!.staff, { width: 390, height: 844 });
    try {
      await page.locator('[data-show="live-099"]').waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector('[data-show="stalled"]')?.getAttribute('data-trouble')?.includes('stream_stalled'), null, { timeout: 20_000 });
      for (const view of ['tiles', 'list', 'cards']) {
        await page.locator(`[data-view="${view}"]`).click();
        await waitAttr(page, '[data-testid="wall"]', 'data-view', (v) => v === view);
        assert.equal(await noSideways(page), 0, `no horizontal scrolling at 390 px (${view})`);
      }
      const drawer = page.locator('[data-alert-drawer]');
      assert.equal(await drawer.getAttribute('aria-expanded'), 'false');
      assert.equal(await page.locator('.alert-rail [data-testid="alerts"]').isVisible(), false, 'the drawer starts closed');
      await page.locator('[data-view="tiles"]').click();
      const firstTile = await page.locator('main > .tiles [data-show]').first().boundingBox();
      assert.ok(firstTile && firstTile.y < 250, `the shows start on the first screen (first tile at ${firstTile?.y})`);
      await drawer.click();
      await page.locator('.alert-rail [data-rule="stream_stalled"]').waitFor({ state: 'visible' });
      await screenshot(page, 'wall-390-drawer');
      await page.keyboard.press('Escape');
      assert.equal(await drawer.getAttribute('aria-expanded'), 'false');
    } finally {
      await context.close();
    }
  });
});
