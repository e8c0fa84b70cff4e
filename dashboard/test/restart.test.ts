import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { mintToken, spawnHub, startProxy, tempDir, type HubProcess } from '@showwire/testkit';
import { ensureBuilt, launch, openPage, screenshot, waitAttr } from './helpers/browser.js';
import { lines, publish } from './helpers/publish.js';

const SECRET = 'dashboard-restart-test-secret-0123456789abcdef';

let browser: Browser;
let hub: HubProcess | undefined;
/** The page's one address across the restart: each hub binds a port of its own behind it. */
let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
const dataDir = tempDir('showwire-dash-restart-');

before(async () => {
  ensureBuilt();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  if (hub && hub.child.exitCode === null) {
    hub.child.kill('SIGTERM');
    await hub.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('the hub restarts mid-show: the page says so, resumes from the last id, and shows every event exactly once', async () => {
  const env = { HUB_SECRET: SECRET, HUB_DATA_DIR: dataDir, HUB_HEARTBEAT_MS: '300' };
  hub = await spawnHub(env);
  proxy = await startProxy(hub.url);
  const key = new TextEncoder().encode(SECRET);
  const staff = (await mintToken(key, { sub: 'staff-test', role: 'staff', shows: ['*'] }, 3600)).token;
  const agent = (await mintToken(key, { sub: 'agent-test', role: 'agent', shows: ['*'] }, 3600)).token;
  const show = 'restart-show';
  await publish(hub.url, agent, show, [{ type: 'show_started', title: 'Restart Resilience' }, ...lines(0, 10)]);

  const { page, context } = await openPage(browser, `${proxy.url}/shows/${show}`, staff, { width: 1280, height: 800 });
  try {
    await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live', 60_000);
    await publish(hub.url, agent, show, lines(10, 10));
    await waitAttr(page, '[data-line-count]', 'data-line-count', (v) => v === '20');

    // SIGTERM drains: streams end, the process exits; the page must stop claiming to be live.
    hub.child.kill('SIGTERM');
    assert.equal(await hub.exited, 0);
    await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'reconnecting' || v === 'offline', 30_000);

    hub = await spawnHub(env);
    proxy.retarget(hub.url);
    // Published before the page is back: it gets them by resuming from its last id, not live.
    await publish(hub.url, agent, show, lines(20, 10));
    await waitAttr(page, '[data-connection]', 'data-connection', (v) => v === 'live', 60_000);
    const ids = await publish(hub.url, agent, show, lines(30, 5));
    await waitAttr(page, '[data-line-count]', 'data-line-count', (v) => v === '35', 60_000);
    // 1 show_started + 35 lines, each folded once: a replayed duplicate would add a line and an event.
    await waitAttr(page, '[data-testid="show-view"]', 'data-event-count', (v) => v === '36');
    assert.equal(await page.locator('[data-testid="show-view"]').getAttribute('data-last-event-id'), ids.at(-1));
    await page.getByText('line 34', { exact: true }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByText('line 34', { exact: true }).count(), 1);
    await screenshot(page, 'show-after-restart');
  } finally {
    await context.close();
  }
});
