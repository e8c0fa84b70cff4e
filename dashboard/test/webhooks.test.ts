import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startHub, type TestHub } from '@showwire/testkit';
import { ensureBuilt, launch, openPage, screenshot, waitAttr } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

let hub: TestHub;
let browser: Browser;
let receiver: Server;
const received: IncomingHttpHeaders[] = [];

before(async () => {
  ensureBuilt();
  // The receiver is on loopback, which the SSRF guard refuses unless told otherwise.
  hub = await startHub({ HUB_WEBHOOK_ALLOW_PRIVATE: 'true' });
  browser = await launch();
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await browser?.close();
  await hub?.close();
  receiver?.close();
});

test('webhooks page: add an endpoint, see its delivery succeed, redeliver it with the same webhook-id', async () => {
  const admin = await hub.token('admin', ['*']);
  const agent = await hub.token('agent', ['*']);
  const target = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const { page, context } = await openPage(browser, `${hub.url}/webhooks`, admin);
  try {
    await page.getByPlaceholder('https://example.com/webhooks/showwire').fill(target);
    await page.getByPlaceholder('Description (optional)').fill('Shop backend');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.locator('.notice').first().waitFor({ timeout: 30_000 });
    assert.match(await page.locator('.notice').first().innerText(), /signing secret \(also under “Reveal secret”\): whsec_/);
    await waitAttr(page, '[data-endpoint]', 'data-health', (v) => v === 'healthy');

    await publish(hub.url, agent, 'hooked-show', [{ type: 'show_started', title: 'Hooked' }]);
    // The log refreshes every 5 s.
    await waitAttr(page, '[data-delivery]', 'data-status', (v) => v === 'succeeded', 60_000);
    assert.equal(received.length, 1);
    const firstId = received[0]!['webhook-id'];
    assert.ok(firstId);

    await page.locator('[data-delivery]').first().locator('[data-menu]').click();
    await page.locator('[data-delivery]').first().getByRole('menuitem', { name: 'Redeliver' }).click();
    await page.getByText(/queued again/).waitFor({ timeout: 10_000 });
    const deadline = Date.now() + 30_000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, 2, 'the redelivery reached the endpoint');
    assert.equal(received[1]!['webhook-id'], firstId, 'a redelivery keeps its webhook-id so receivers can dedupe');
    await screenshot(page, 'webhooks');
  } finally {
    await context.close();
  }
});
