import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestHub } from '@showwire/testkit';
import { startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

/** The search page in Chromium against a real hub: results as you type, the keyboard, the replay link, a host's scope. */
describe('search page', () => {
  let rig: BrowserRig | undefined;
  let hub: TestHub;
  let ids: string[];

  before(async () => {
    rig = await startRig({ HUB_SEARCH_FLUSH_MS: '20' });
    hub = rig.hub;
    ids = await publish(hub.url, rig.agent, 'sizes-show', [
      { type: 'show_started', title: 'Shirts' },
      { type: 'transcript', role: 'user', text: 'Several complaints about sizes today' },
      { type: 'transcript', role: 'agent', text: 'I will note the complaint' },
    ]);
    await publish(hub.url, rig.agent, 'other-show', [{ type: 'transcript', role: 'user', text: 'one complaint here too' }]);
  });
  after(() => rig?.close());

  test('staff: results come while typing with the words marked; ↓ and Enter open the replay at that event', async () => {
    const { page, context } = await rig!.open('/search', rig!.staff);
    try {
      const box = page.getByRole('combobox', { name: 'Search shows' });
      await box.waitFor();
      // Focused on arrival: typing needs no click. "compl" is unfinished: it searches as a prefix.
      await page.keyboard.type('compl');
      assert.equal(await waitAttr(page, '#search-results', 'data-count', (v) => v === '3'), '3');
      const marks = await page.locator('.search-result mark').allInnerTexts();
      assert.ok(marks.length >= 3 && marks.every((m) => /^complaints?$/i.test(m)), JSON.stringify(marks));
      assert.match(page.url(), /\/search\?q=compl$/);

      await page.keyboard.type('aint sizes');
      await waitAttr(page, '#search-results', 'data-count', (v) => v === '1');
      assert.equal(await page.locator('.search-result.selected').getAttribute('data-id'), ids[1]);

      for (let i = 0; i < ' sizes'.length; i++) await page.keyboard.press('Backspace');
      await waitAttr(page, '#search-results', 'data-count', (v) => v === '3');
      const order = await page.locator('.search-result').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
      await page.keyboard.press('ArrowDown');
      const chosen = await page.locator('.search-result.selected').getAttribute('data-id');
      assert.equal(chosen, order[1], 'ArrowDown selects the second result');
      await page.keyboard.press('Enter');
      await page.getByTestId('replay').waitFor({ timeout: 30_000 });
      const url = new URL(page.url());
      assert.match(url.pathname, /^\/shows\/[a-z-]+\/replay$/);
      assert.equal(url.hash, `#e${chosen}`);
      assert.ok(Number(url.searchParams.get('at')) > 0);
    } finally {
      await context.close();
    }
  });

  test('a host finds only in its own show; an empty answer says so', async () => {
    const host = await hub.token('host', ['other-show'], 3600, 'host-other');
    const { page, context } = await rig!.open('/search', host);
    try {
      await page.getByRole('combobox', { name: 'Search shows' }).waitFor();
      await page.keyboard.type('complaint ');
      await waitAttr(page, '#search-results', 'data-count', (v) => v === '1');
      assert.deepEqual(await page.locator('.search-result strong').allInnerTexts(), ['other-show']);
      await page.keyboard.type('sizes');
      await page.getByTestId('search-empty').waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
  });
});
