import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { getJson, startHub, type TestHub, startReceiver, type Receiver } from '@showwire/testkit';
import { ensureBuilt, launch, openPage, screenshot, waitAttr } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

/** The integrator portal in Chromium: add with filters, reveal and rotate the secret, a failed delivery's attempts and payload, edit, delete, the event catalog. */
let hub: TestHub;
let browser: Browser;
let receiver: Receiver;

before(async () => {
  ensureBuilt();
  // A failed first attempt waits an hour for its retry, so the delivery stays pending with a next attempt time.
  hub = await startHub({ HUB_WEBHOOK_ALLOW_PRIVATE: 'true', HUB_WEBHOOK_SCHEDULE: '1h', HUB_WEBHOOK_JITTER: '0' });
  browser = await launch();
  receiver = await startReceiver(() => ({ status: 500, body: 'shop down: orders database unreachable' }));
});

after(async () => {
  await browser?.close();
  await hub?.close();
  await receiver?.close();
});

test('webhooks portal: add with filters, reveal and rotate the secret, open a failed delivery, edit, delete; the event catalog', async () => {
  const admin = await hub.token('admin', ['*']);
  const agent = await hub.token('agent', ['*']);
  const endpoints = async () => (await getJson(`${hub.url}/api/webhooks/endpoints`, admin)).body.endpoints as any[];
  const secretOf = async (id: string) => (await getJson(`${hub.url}/api/webhooks/endpoints/${id}/secret`, admin)).body.secret as string;
  const { page, context } = await openPage(browser, `${hub.url}/webhooks`, admin);
  try {
    const form = page.getByTestId('new-endpoint');
    await form.getByPlaceholder('https://example.com/webhooks/showwire').fill(receiver.url);
    await form.getByPlaceholder('Description (optional)').fill('Shop backend');
    await form.getByPlaceholder(/^Types/).fill('show_ended, order_placed');
    await form.getByPlaceholder(/^Shows/).fill('portal-show');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await page.locator('[data-endpoint]').first().waitFor({ timeout: 30_000 });
    const [ep] = await endpoints();
    assert.deepEqual([ep.url, ep.description, ep.types, ep.shows], [receiver.url, 'Shop backend', ['show_ended', 'order_placed'], ['portal-show']]);
    const row = page.locator(`[data-endpoint="${ep.id}"]`);
    assert.match(await row.innerText(), /show_ended, order_placed · portal-show/);

    // The secret stays reachable: reveal it, then rotate it.
    await menu(row, 'Reveal secret');
    const original = await secretOf(ep.id);
    await waitText(page, '[data-testid="endpoint-secret"]', original);
    await menu(row, 'Rotate secret');
    await page.getByText(/Secret rotated; the old one keeps signing until/).waitFor({ timeout: 10_000 });
    const rotated = await secretOf(ep.id);
    assert.notEqual(rotated, original);
    await waitText(page, '[data-testid="endpoint-secret"]', rotated);

    // Only what the filters match is delivered; the receiver answers 500.
    await publish(hub.url, agent, 'other-show', [{ type: 'show_ended' }]);
    await publish(hub.url, agent, 'portal-show', [{ type: 'transcript', text: 'not for the shop' }, { type: 'show_ended', reason: 'host ended it' }]);
    await receiver.until(() => receiver.received.length >= 1, 'the first attempt');
    await waitAttr(page, '[data-delivery]', 'data-attempts', (v) => v === '1', 30_000);
    assert.equal(await page.locator('[data-delivery]').count(), 1, 'filters: one delivery');
    assert.equal(await page.locator('[data-delivery]').getAttribute('data-status'), 'pending');
    await page.locator('[data-delivery]').getByRole('button', { name: 'Attempts' }).click();
    const details = page.getByTestId('delivery-details');
    await details.waitFor({ timeout: 10_000 });
    assert.equal(await details.locator('[data-attempt-status]').getAttribute('data-attempt-status'), '500');
    assert.match(await details.locator('.response').innerText(), /shop down: orders database unreachable/);
    const payload = JSON.parse(await page.getByTestId('payload').innerText());
    assert.deepEqual([payload.type, payload.show, payload.reason], ['show_ended', 'portal-show', 'host ended it']);
    assert.match(await page.getByTestId('next-retry').innerText(), /^next attempt at /);
    await screenshot(page, 'webhooks-portal');

    // Recover: disabling fails what was pending; once enabled again, "since an hour ago" resends it.
    await menu(row, 'Disable');
    await waitAttr(page, '[data-delivery]', 'data-status', (v) => v === 'failed', 30_000);
    await menu(row, 'Enable');
    await page.getByText('Enabled', { exact: true }).waitFor({ timeout: 10_000 });
    receiver.respondWith(() => ({ status: 200, body: 'thanks' }));
    await menu(row, 'Recover…');
    await row.getByRole('button', { name: 'Recover', exact: true }).click();
    await page.getByText('1 failed deliveries queued again').waitFor({ timeout: 10_000 });
    await receiver.until(() => receiver.received.some((r) => r.status === 200), 'the recovered delivery', 30_000);
    assert.equal(receiver.received.at(-1)!.event.type, 'show_ended');
    assert.equal(receiver.received.at(-1)!.webhookId, receiver.received[0]!.webhookId, 'same webhook-id as the failed attempt');

    // Edit, then delete.
    await menu(row, 'Edit');
    const edit = page.getByTestId('edit-endpoint');
    await edit.getByPlaceholder('Description (optional)').fill('Shop backend (EU)');
    await edit.getByPlaceholder(/^Types/).fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Endpoint saved').waitFor({ timeout: 10_000 });
    const [edited] = await endpoints();
    assert.deepEqual([edited.description, edited.types, edited.shows], ['Shop backend (EU)', null, ['portal-show']]);
    page.once('dialog', (d) => void d.accept());
    await menu(row, 'Delete endpoint');
    await page.getByText('Endpoint deleted').waitFor({ timeout: 10_000 });
    assert.deepEqual(await endpoints(), []);

    // The catalog, linked from the page, generated from the protocol's schemas.
    await page.getByRole('link', { name: 'event catalog' }).click();
    const cart = page.locator('[data-type="cart_event"]');
    await cart.waitFor({ timeout: 10_000 });
    const fields = await cart.locator('[data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    assert.deepEqual(fields, ['productId', 'action', 'quantity', 'userId', 'reservedUntil']);
    assert.match(await cart.locator('[data-field="action"]').innerText(), /"add_to_cart" \| "remove_from_cart"/);
    const example = JSON.parse(await cart.locator('.example').innerText());
    assert.deepEqual([example.type, example.action, example.id], ['cart_event', 'add_to_cart', '1042']);
    assert.ok(await page.locator('[data-type="show_summary"] [data-field="perProduct"]').count());
  } finally {
    await context.close();
  }
});

/** A row action lives in the row's menu: open it, choose the item. */
async function menu(row: import('playwright-core').Locator, item: string) {
  await row.locator('[data-menu]').first().click();
  await row.getByRole('menuitem', { name: item, exact: true }).click();
}

async function waitText(page: import('playwright-core').Page, selector: string, text: string) {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await page.locator(selector).innerText().catch(() => '')) ?? '';
    if (last === text) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`${selector} shows ${JSON.stringify(last)}, not ${JSON.stringify(text)}`);
}
