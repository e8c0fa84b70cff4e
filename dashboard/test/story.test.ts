import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { reduceShowMany, type HubEvent } from '@showwire/protocol';
import { postJson, publishAsHub, readHistory, type TestHub } from '@showwire/testkit';
import { screenshot, startRig, waitAttr, type BrowserRig } from './helpers/browser.js';
import { publish } from './helpers/publish.js';

/** The ended show's summary screen, the transcript download and the replay timeline, in Chromium against a real hub. */
describe('the show\'s story in the browser', () => {
  let rig: BrowserRig | undefined;
  let hub: TestHub;
  let staff: string;
  let history: HubEvent[];
  const SHOW = 'story-browser';

  before(async () => {
    rig = await startRig({ HUB_HEARTBEAT_MS: '300' });
    hub = rig.hub;
    staff = rig.staff;
    const agent = rig.agent;
    const service = await hub.token('service', [SHOW], 3600, 'shop');
    const viewer = await hub.token('viewer', [SHOW], 3600, 'alice');
    // Parts with real gaps between them, so the timeline has distinct instants.
    // Alerts are the hub's own (no token may post one): written here as the hub's rule would.
    const step = async (events: Array<Record<string, unknown>>, as = agent) => {
      await publish(hub.url, as, SHOW, events);
      await sleep(120);
    };
    await step([{ type: 'show_started', title: 'Story Mugs' }, { type: 'agent_ready' }, { type: 'agent_state', state: 'listening' }]);
    await step([{ type: 'viewer_joined', viewers: 4 }, { type: 'transcript', text: 'Welcome, everyone', role: 'user', participant: 'Maya' }]);
    await step([{ type: 'product_created', product: { id: 'mug', name: 'Blue mug', price: 12, currency: 'USD' } }, { type: 'tool_call', name: 'create_product', durationMs: 80 }]);
    await step([{ type: 'product_added_to_show', productId: 'mug' }, { type: 'transcript', text: 'The blue mug is on screen', role: 'agent' }]);
    for (const body of [{ productId: 'mug', action: 'add_to_cart', quantity: 2 }, { productId: 'mug', action: 'remove_from_cart', quantity: 1 }]) {
      assert.equal((await postJson(`${hub.url}/api/shows/${SHOW}/cart-event`, body, viewer)).status, 201);
    }
    await publishAsHub(hub, SHOW, [{ type: 'alert_raised', alertId: 'al1', rule: 'latency_high', severity: 'critical', message: 'p95 over 3 s' }]);
    await sleep(120);
    await step([{ type: 'turn_metrics', e2eMs: 3400 }]);
    await step([{ type: 'viewer_joined', viewers: 9 }, { type: 'product_created', product: { id: 'tee', name: 'Tee', price: 20, currency: 'EUR' } }]);
    for (const order of [
      { orderId: 'o1', userId: 'alice', items: [{ productId: 'mug', quantity: 1, price: 12 }], total: 12, currency: 'USD' },
      { orderId: 'o2', userId: 'bob', items: [{ productId: 'tee', quantity: 2, price: 20 }], total: 40, currency: 'EUR' },
    ]) {
      await publish(hub.url, service, SHOW, [{ type: 'order_placed', ...order }]);
    }
    await step([{ type: 'transcript', text: 'Thanks for watching', role: 'user', participant: 'Maya' }, { type: 'show_ended' }]);
    history = (await readHistory(hub.url, SHOW, staff)) as HubEvent[];
  });

  after(() => rig?.close());

  test('an ended show opens on its summary: revenue per currency, orders, cart, per product, agent, alerts; no live agent state', async () => {
    const { page, context } = await rig!.open(`/shows/${SHOW}`, staff);
    try {
      const summary = page.getByTestId('show-summary');
      await summary.waitFor({ timeout: 30_000 });
      const figure = (key: string) => summary.locator(`[data-figure="${key}"] .big`).innerText();
      assert.equal(await figure('revenue'), '€40.00 + $12.00');
      assert.equal(await figure('orders'), '2');
      assert.equal(await figure('adds'), '2');
      assert.equal(await figure('removes'), '1');
      assert.equal(await figure('peak'), '9');
      assert.equal(await figure('turns'), '1');
      assert.equal(await figure('tool-calls'), '1');
      assert.equal(await figure('tool-failures'), '0');
      assert.equal(await figure('p95'), '3.4 s');
      assert.equal(await figure('alerts'), '1');
      assert.equal(await figure('critical'), '1');
      const rows = await page.locator('[data-testid="per-product"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(rows, [
        ['Blue mug', '2', '1', '1', '$12.00'],
        ['Tee', '0', '0', '2', '€40.00'],
      ]);
      assert.equal(await page.locator('[data-agent-state]').first().getAttribute('data-agent-state'), 'ended', 'no live agent state once ended');
      await screenshot(page, 'story-summary');

      // The download button fetches the transcript file, final lines with speakers.
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.downloads a[data-format="txt"]').click()]);
      assert.equal(download.suggestedFilename(), `${SHOW}-transcript.txt`);
      const text = readFileSync((await download.path()), 'utf8');
      assert.match(text, /^\[00:00:00\] Maya: Welcome, everyone\n\[00:00:00\] Agent: The blue mug is on screen\n\[00:00:0\d\] Maya: Thanks for watching\n$/);
    } finally {
      await context.close();
    }
  });

  test('replay lands on the state reduceShow gives over the history up to the instant: by link, alert and product jumps, and 16× play', async () => {
    const expectAt = async (page: import('playwright-core').Page, count: number, what: string) => {
      const want = reduceShowMany(undefined, history.slice(0, count));
      await waitAttr(page, '[data-testid="replay"]', 'data-count', (v) => v === String(count), 30_000);
      const main = page.getByTestId('replay');
      const attrs = await main.evaluate((el) => ({ ...(el as HTMLElement).dataset }));
      assert.deepEqual(
        [attrs.eventCount, attrs.lastEventId, attrs.viewers, attrs.status, attrs.carousel],
        [String(want.eventCount), want.lastEventId, String(want.viewers), want.status, want.carousel.join(',')],
        what,
      );
      const lines = await page.locator('.transcript-scroll').getAttribute('data-line-count');
      assert.equal(lines, String(want.transcript.length), `${what}: the transcript as it stood then`);
      const said = await page.locator('.transcript-scroll .vrow').allInnerTexts();
      for (const line of want.transcript) assert.ok(said.some((t) => t.includes(line.text)), `${what}: "${line.text}" shown`);
    };

    // 1. A link to an instant: just after the first product was put on the carousel.
    const onCarousel = history.findIndex((e) => e.type === 'product_added_to_show');
    const { page, context } = await rig!.open(`/shows/${SHOW}/replay?at=${history[onCarousel]!.receivedAt}`, staff);
    try {
      await waitAttr(page, '[data-testid="replay"]', 'data-loaded', (v) => v === 'true');
      await expectAt(page, history.filter((e) => e.receivedAt <= history[onCarousel]!.receivedAt).length, 'by ?at=');

      // 2. Jumping to the alert lands right after it.
      const alert = history.findIndex((e) => e.type === 'alert_raised');
      await page.locator(`.marker-alert[data-marker-index="${alert}"]`).click();
      await expectAt(page, alert + 1, 'alert jump');

      // 3. Jumping to the second product.
      const tee = history.findIndex((e) => e.type === 'product_created' && (e as any).product.id === 'tee');
      await page.locator(`.marker-product[data-marker-index="${tee}"]`).click();
      await expectAt(page, tee + 1, 'product jump');

      // 4. Playing at 16× from there runs to the end: the state after the whole history.
      await page.locator('button[data-speed="16"]').click();
      await expectAt(page, history.length, '16× play to the end');
      await waitAttr(page, '[data-testid="replay"]', 'data-playing', (v) => v === '', 10_000);
      await screenshot(page, 'story-replay');
    } finally {
      await context.close();
    }
  });
});
