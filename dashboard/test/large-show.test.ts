import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { getJson } from '@showwire/testkit';
import { screenshot, startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { lines, publish } from './helpers/publish.js';

/**
 * A 20,000-line show in Chromium against a real hub: the transcript stays virtualized, follows
 * the live edge, scrolls back to line 0, and a paced 50 events/s stream lands exactly once and
 * in order. Speed is measured by `npm run bench:dashboard`, not here.
 */
const SHOW = 'mega-show';
const HISTORY = 20_000;
const LIVE = 200; // 4 s at 50 events/s
const WAIT = 240_000; // the machine is shared: generous, but bounded

let rig: BrowserRig | undefined;
before(async () => {
  rig = await startRig({ HUB_HEARTBEAT_MS: '500' });
});
after(() => rig?.close());

const scroller = (page: Page) => page.locator('.transcript-scroll');

/** Every rendered row: its index in the transcript and the hub id of the event that wrote it. */
const renderedRows = (page: Page) =>
  page.$$eval('.transcript-scroll .vrow', (rows) =>
    rows.map((r) => ({ index: Number(r.getAttribute('data-index')), id: r.querySelector('[data-id]')?.getAttribute('data-id') ?? '', text: r.querySelector('.line-text')?.textContent ?? '' })),
  );

/** Two animation frames: the virtualizer has reacted to a scroll and React has committed. */
const settle = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

test('20,000 lines: virtualized, following the live edge, back to line 0; then 50 events/s applied exactly once, in order', async () => {
  const { hub, agent, staff, open } = rig!;
  await publish(hub.url, agent, SHOW, [{ type: 'show_started', title: 'The Twenty Thousand' }]);
  for (let i = 0; i < HISTORY; i += 1000) await publish(hub.url, agent, SHOW, lines(i, 1000));

  const { page, context } = await open(`/shows/${SHOW}`, staff);
  try {
    const view = '[data-testid="show-view"]';
    await waitAttr(page, view, 'data-event-count', (v) => v === String(HISTORY + 1), WAIT);
    await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live', WAIT);
    assert.equal(await scroller(page).getAttribute('data-line-count'), String(HISTORY));

    // Virtualized: a window of rows, not 20,000.
    const rows = await page.locator('.transcript-scroll .vrow').count();
    assert.ok(rows > 0 && rows < 200, `${rows} transcript rows in the DOM`);
    assert.equal(await page.locator('.line').count(), rows);

    // Following: the newest line is rendered and the scroller sits at its bottom.
    await page.locator(`[data-index="${HISTORY - 1}"]`).getByText(`line ${HISTORY - 1}`, { exact: true }).waitFor({ timeout: WAIT });
    const gap = await scroller(page).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok(gap < 48, `the transcript is ${gap}px above its bottom`);
    await screenshot(page, 'show-20000');

    // Scrolling to the top renders line 0 (and stops following).
    await scroller(page).evaluate((el) => el.scrollTo({ top: 0 }));
    await page.locator('[data-index="0"]').getByText('line 0', { exact: true }).waitFor({ timeout: WAIT });
    assert.ok((await page.locator('.transcript-scroll .vrow').count()) < 200);
    const jump = page.getByRole('button', { name: 'Jump to latest ↓' });
    await jump.waitFor({ timeout: WAIT });

    // Back to the live edge by keyboard-reachable button, then 50 events/s for 4 s.
    await jump.click();
    await page.locator(`[data-index="${HISTORY - 1}"]`).waitFor({ timeout: WAIT });
    const ids: string[] = [];
    const start = Date.now();
    for (let i = 0; i < LIVE; i++) {
      const due = start + i * 20;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      ids.push(...(await publish(hub.url, agent, SHOW, [{ type: 'transcript', text: `live ${i}`, role: i % 2 ? 'agent' : 'user', final: true }])));
    }
    assert.equal(ids.length, LIVE);

    // All applied: the page folded exactly as many events as the hub holds, ending at the hub's last id.
    await waitAttr(page, view, 'data-event-count', (v) => v === String(HISTORY + 1 + LIVE), WAIT);
    assert.equal(await page.locator(view).getAttribute('data-last-event-id'), ids.at(-1));
    assert.equal(await scroller(page).getAttribute('data-line-count'), String(HISTORY + LIVE));
    // Still following: the newest live line is on screen.
    await page.locator(`[data-index="${HISTORY + LIVE - 1}"]`).getByText(`live ${LIVE - 1}`, { exact: true }).waitFor({ timeout: WAIT });

    // Each of the 200 live lines, read back from the DOM by walking up from the bottom, carries the hub's id in publish order.
    const seen = new Map<number, { id: string; text: string }>();
    for (let step = 0; step < 200 && !seen.has(HISTORY); step++) {
      for (const r of await renderedRows(page)) if (r.index >= HISTORY) seen.set(r.index, r);
      await scroller(page).evaluate((el) => el.scrollBy({ top: -el.clientHeight / 2 }));
      await settle(page);
    }
    const live = Array.from({ length: LIVE }, (_, i) => seen.get(HISTORY + i));
    assert.deepEqual(
      live.map((r) => r?.id),
      ids,
      'line i was written by the i-th published event',
    );
    assert.deepEqual(
      live.map((r) => r?.text),
      ids.map((_, i) => `live ${i}`),
    );

    // And the hub agrees: its log for the show ends with exactly these ids.
    const tail = await getJson(`${hub.url}/api/shows/${SHOW}/events?after=${ids[0]}&limit=1000`, staff);
    assert.deepEqual(
      tail.body.events.map((e: { id: string }) => e.id),
      ids.slice(1),
    );
  } finally {
    await context.close();
  }
});
