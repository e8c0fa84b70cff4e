import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startHub, type TestHub } from '@showwire/testkit';
import { ensureBuilt, launch, openPage } from './helpers/browser.js';

/** The header links to the hub's API docs, at the desktop and the phone size. */
let hub: TestHub;
let browser: Browser;

before(async () => {
  ensureBuilt();
  hub = await startHub();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await hub?.close();
});

for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
  test(`at ${viewport.width} px the header's "API docs" link opens /docs`, async () => {
    const { page, context } = await openPage(browser, `${hub.url}/`, await hub.token('staff'), viewport);
    try {
      const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API docs' });
      await link.click({ timeout: 30_000 });
      await page.getByRole('heading', { name: 'Showwire hub', exact: true }).waitFor({ timeout: 60_000 });
      assert.equal(new URL(page.url()).pathname, '/docs/');
    } finally {
      await context.close();
    }
  });
}
