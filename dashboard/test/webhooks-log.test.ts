import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { getJson, postJson, startReceiver, waitFor, type Receiver, type TestHub } from '@showwire/testkit';
import { CLOCK, screenshot, startRig, waitAttr, type BrowserRig } from './helpers/browser.js';

/**
 * The delivery log kept and filtered: a broken endpoint (500, next retry an hour away) with 120
 * deliveries, whose 120 failures in a row open its circuit breaker for 10 minutes, and a healthy
 * one for "Send test". Deliveries are made by publishing events.
 */
describe('the webhook log: refresh keeps what was loaded, filters, endpoint page, menus, Send test', () => {
  let rig: BrowserRig | undefined;
  let hub: TestHub;
  let admin: string;
  let broken: Receiver;
  let healthy: Receiver;
  let brokenId: string;
  let healthyId: string;

  const loaded = (page: Page) => page.locator('[data-loaded]').getAttribute('data-loaded').then(Number);
  const rows = (page: Page) => page.locator('[data-delivery]').evaluateAll((els) => els.map((e) => e.getAttribute('data-delivery')!));

  before(async () => {
    broken = await startReceiver(() => ({ status: 500, body: 'down' }));
    healthy = await startReceiver(() => ({ status: 200, body: 'ok' }));
    rig = await startRig({ HUB_WEBHOOK_ALLOW_PRIVATE: 'true', HUB_WEBHOOK_SCHEDULE: '1h', HUB_WEBHOOK_JITTER: '0', HUB_WEBHOOK_BREAKER_FAILURES: '120', HUB_WEBHOOK_BREAKER_COOLDOWN_MS: '600000' });
    hub = rig.hub;
    admin = await hub.token('admin');
    brokenId = (await postJson(`${hub.url}/api/webhooks/endpoints`, { url: broken.url, types: ['product_created', 'show_started'] }, admin)).body.id;
    healthyId = (await postJson(`${hub.url}/api/webhooks/endpoints`, { url: healthy.url, types: ['webhook.test'] }, admin)).body.id;
    const events = Array.from({ length: 120 }, (_, i) => ({ show: i < 10 ? 'shop-b' : 'shop-a', type: 'product_created', product: { id: `p${i}`, name: `P ${i}`, price: 1, currency: 'USD' } }));
    assert.equal((await postJson(`${hub.url}/api/agent/data`, events, rig.agent)).status, 201);
    await broken.until(() => broken.received.length >= 120, '120 first attempts', 60_000);
    // The 120th failure in a row opened the breaker (the hub records it just after the answer).
    await waitFor('the broken endpoint\'s breaker open', async () => (await getJson(`${hub.url}/api/webhooks/endpoints/${brokenId}`, admin)).body.breaker.state === 'open', 15_000);
  });

  after(async () => {
    await rig?.close();
    await broken?.close();
    await healthy?.close();
  });

  test('the hub filters deliveries by type, show and message id, and refuses a bad type with a 400', async () => {
    const all = await getJson(`${hub.url}/api/webhooks/deliveries?limit=1000`, admin);
    assert.equal(all.body.deliveries.length, 120);
    const b = await getJson(`${hub.url}/api/webhooks/deliveries?show=shop-b&limit=4`, admin);
    assert.equal(b.body.deliveries.length, 4);
    assert.ok(b.body.deliveries.every((d: any) => d.show === 'shop-b'));
    const rest = await getJson(`${hub.url}/api/webhooks/deliveries?show=shop-b&limit=100&before=${b.body.next}`, admin);
    assert.equal(rest.body.deliveries.length, 6, 'paging on from next finds the other six, none twice');
    assert.equal(rest.body.next, null);
    const one = all.body.deliveries[7];
    const byId = await getJson(`${hub.url}/api/webhooks/deliveries?webhookId=${one.webhookId}`, admin);
    assert.deepEqual(byId.body.deliveries.map((d: any) => d.id), [one.id]);
    assert.equal((await getJson(`${hub.url}/api/webhooks/deliveries?type=show_started`, admin)).body.deliveries.length, 0);
    const bad = await getJson(`${hub.url}/api/webhooks/deliveries?type=Not A Type`, admin);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'validation_failed');
  });

  test('1440 px: Load older survives refreshes, new rows join on top; filters; the endpoint page; menus; Send test shows the answer', async () => {
    const { page, context } = await rig!.open('/webhooks', admin);
    try {
      await waitAttr(page, '[data-loaded]', 'data-loaded', (v) => v === '50', 30_000);
      await page.getByRole('button', { name: 'Load older' }).click();
      await waitAttr(page, '[data-loaded]', 'data-loaded', (v) => v === '100');
      const before = await rows(page);
      // Two refreshes later (every 5 s) the older rows are still there, in the same order.
      await page.waitForTimeout(11_000);
      assert.equal(await loaded(page), 100);
      assert.deepEqual(await rows(page), before);
      await postJson(`${hub.url}/api/shows/shop-a/events`, [{ type: 'show_started', title: 'Again' }], rig!.agent);
      await waitAttr(page, '[data-loaded]', 'data-loaded', (v) => v === '101', 15_000);
      const after = await rows(page);
      assert.deepEqual(after.slice(1), before, `the new delivery on top, nothing dropped or repeated: ${after.slice(0, 4).join()} … ${after.slice(-3).join()} vs ${before.slice(0, 3).join()} … ${before.slice(-3).join()}`);
      assert.equal(await page.locator(`[data-delivery="${after[0]}"] code`).first().innerText(), 'show_started');

      // Filters: event type, show, message id (from a row's menu).
      await page.locator('[data-filter-field="type"]').fill('show_started');
      await waitAttr(page, '[data-loaded]', 'data-loaded', (v) => v === '1');
      await page.locator('[data-filter-field="type"]').fill('');
      await page.locator('[data-filter-field="show"]').fill('shop-b');
      await waitAttr(page, '[data-loaded]', 'data-loaded', (v) => v === '10');
      const row = page.locator('[data-delivery]').nth(3);
      await row.locator('[data-menu]').click();
      await row.getByRole('menuitem', { name: 'Only this message' }).click();
      await waitAttr(page, '[data-loaded]', 'data-loaded', (v) => v === '1');
      assert.equal(await page.locator('[data-filter-field="show"]').inputValue(), '');

      // An attempt shows the request headers it carried.
      await page.locator('[data-delivery]').getByRole('button', { name: 'Attempts' }).click();
      await page.locator('[data-testid="request-headers"]').first().evaluate((el) => (el.closest('details')!.open = true));
      assert.match(await page.locator('[data-testid="request-headers"]').first().innerText(), /^content-type: application\/json\nwebhook-id: msg_/);

      // The broken endpoint's page: no success, 121 pending, a next attempt, its breaker open
      // (the show_started above waits: nothing is attempted until the probe).
      await page.locator(`[data-endpoint="${brokenId}"] [data-open-endpoint]`).click();
      const panel = page.getByTestId('endpoint-panel');
      await waitAttr(page, '[data-testid="endpoint-panel"]', 'data-endpoint-id', (v) => v === brokenId);
      await panel.locator('[data-figure="success-rate"]').waitFor();
      assert.match(await panel.locator('[data-figure="pending"]').innerText(), /^121/);
      assert.match(await panel.locator('[data-figure="next-attempt"]').innerText(), new RegExp(CLOCK));
      assert.match(await panel.locator('[data-figure="breaker"] strong').innerText(), new RegExp(`^open, next probe at ${CLOCK} · 120 failed in a row$`));
      assert.equal(broken.received.length, 120, 'an open breaker sends nothing');
      assert.equal(await page.locator('[data-filter-field="endpoint"]').inputValue(), brokenId, 'its log below');

      // Row actions sit in a menu; the destructive ones are marked.
      const healthyRow = page.locator(`[data-endpoint="${healthyId}"]`);
      assert.equal(await healthyRow.getByRole('menuitem', { name: 'Delete endpoint' }).isVisible(), false, 'closed until asked');
      await healthyRow.locator('[data-menu]').click();
      assert.match((await healthyRow.getByRole('menuitem', { name: 'Delete endpoint' }).getAttribute('class')) ?? '', /menu-danger/);
      assert.doesNotMatch((await healthyRow.getByRole('menuitem', { name: 'Send test' }).getAttribute('class')) ?? '', /menu-danger/);
      await healthyRow.getByRole('menuitem', { name: 'Send test' }).click();
      await waitAttr(page, '[data-testid="webhooks-message"]', 'data-test-result', (v) => v === 'succeeded', 30_000);
      assert.match(await page.getByTestId('webhooks-message').innerText(), /answered 200 in \d+ ms/);
      await screenshot(page, 'webhooks-log');
    } finally {
      await context.close();
    }
  });

  test('390 px: the log, its filters and menus fit without sideways scroll', async () => {
    const { page, context } = await rig!.open('/webhooks', admin, { width: 390, height: 844 });
    try {
      await waitAttr(page, '[data-loaded]', 'data-loaded', (v) => Number(v) >= 50, 30_000);
      await page.locator('[data-delivery] [data-menu]').first().click();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0);
      await screenshot(page, 'webhooks-log-390');
    } finally {
      await context.close();
    }
  });
});
