import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot, startRig, type BrowserRig } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];
const rootBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
const noSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
const LIGHT = 'rgb(246, 247, 249)';
const DARK = 'rgb(15, 20, 25)';

describe('one theme and one time format; the event catalog', () => {
  let rig: BrowserRig | undefined;

  before(async () => {
    rig = await startRig();
    await publish(rig.hub.url, rig.agent, 'themed', [{ type: 'show_started', title: 'Themed' }]);
  });
  after(() => rig?.close());

  test('light and dark follow the system; the switch overrides it, survives a reload, and "System" hands back', async () => {
    const context = await rig!.browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    try {
      const page = await context.newPage();
      await page.goto(`${rig!.hub.url}/shows/themed?token=${rig!.staff}`);
      await page.locator('[data-testid="show-view"]').waitFor();
      assert.equal(await rootBackground(page), LIGHT);
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.equal(await rootBackground(page), DARK, 'the system setting changed: so did the page');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.locator('[data-theme-switch]').selectOption('dark');
      assert.equal(await rootBackground(page), DARK);
      await page.reload();
      await page.locator('[data-testid="show-view"]').waitFor();
      assert.equal(await rootBackground(page), DARK, 'the choice is kept');
      assert.equal(await page.locator('[data-theme-switch]').inputValue(), 'dark');
      await page.locator('[data-theme-switch]').selectOption('system');
      assert.equal(await rootBackground(page), LIGHT);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? null), null);
    } finally {
      await context.close();
    }
  });

  test('stream-test writes times as the dashboard does: 24-hour, the date and zone when not today', async () => {
    const { page, context } = await rig!.open('/stream-test', rig!.staff);
    try {
      const [today, other] = await page.evaluate(() => {
        const now = new Date();
        const clock = (window as unknown as { clock: (d: Date) => string }).clock;
        return [clock(new Date(now.getFullYear(), now.getMonth(), now.getDate(), 13, 2, 3)), clock(new Date(2020, 0, 1, 7, 2, 3))];
      });
      assert.equal(today, '13:02:03');
      assert.match(other, /(Jan 1|1 Jan), 07:02:03 \S+$/);
    } finally {
      await context.close();
    }
  });

  for (const size of SIZES) {
    test(`${size.width} px: the catalog has a table of contents and says when each event fires, who sends it and who may read it`, async () => {
      const { page, context } = await rig!.open('/events', rig!.staff, size);
      try {
        const toc = page.getByTestId('catalog-toc');
        await toc.waitFor();
        const links = await toc.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        const sections = await page.locator('[data-type]').evaluateAll((s) => s.map((e) => `#${e.id}`));
        assert.deepEqual(links, sections, 'one entry per type, in order');
        assert.ok(links.length >= 27);
        assert.match(await page.locator('[data-type="order_placed"] [data-fact="from"]').innerText(), /a service \(the shop\)/);
        assert.match(await page.locator('[data-type="alert_raised"] [data-fact="from"]').innerText(), /^Sent by\s+the hub$/);
        assert.match(await page.locator('[data-type="viewer_joined"] [data-fact="readers"]').innerText(), /and its viewers/);
        assert.match(await page.locator('[data-type="transcript"] [data-fact="readers"]').innerText(), /not viewers/);
        for (const type of await page.locator('[data-type]').evaluateAll((s) => s.map((e) => e.getAttribute('data-type')!)))
          assert.notEqual(await page.locator(`[data-type="${type}"] [data-fact="when"] dd`).innerText(), '—', `${type} says when it fires`);
        await toc.locator('a[href="#cart_event"]').click();
        await page.waitForURL(/#cart_event$/);
        assert.equal(await noSideways(page), 0);
        assert.equal(await page.getByRole('link', { name: 'Events' }).getAttribute('aria-current'), 'page', 'linked from the navigation');
        await screenshot(page, `catalog-${size.width}`);
      } finally {
        await context.close();
      }
    });
  }
});
