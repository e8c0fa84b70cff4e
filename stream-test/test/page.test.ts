import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { knownEventTypes, parseEventInput } from '@showwire/protocol';
import { getJson, startHub, type TestHub } from '@showwire/testkit';
import { runCli } from './helpers/cli.js';

/** The /stream-test page in a real Chromium against a real hub. */
describe('/stream-test page', () => {
  let hub: TestHub;
  let browser: Browser;
  before(async () => {
    hub = await startHub({ HUB_LOG_LEVEL: 'warn' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('serves a template for every known type, each one valid for the protocol', async () => {
    const res = await getJson(`${hub.url}/stream-test/templates.json`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.map((t: { type: string }) => t.type), knownEventTypes);
    for (const t of res.body) {
      const r = parseEventInput(t.template);
      assert.ok(r.ok, `${t.type} template validates: ${JSON.stringify(!r.ok && r.issues)}`);
      assert.equal(t.schema.type, 'object');
    }
  });

  it('connects with a token, sends an event from the form, shows it arriving with counters, under the hub CSP', async () => {
    const admin = await hub.token('admin');
    const page = await browser.newPage();
    const problems: string[] = [];
    // The deliberate 400 below logs "Failed to load resource"; anything else (a CSP refusal, a script error) is a problem.
    page.on('console', (m) => m.type() === 'error' && !/Failed to load resource: .* 400/.test(m.text()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    const response = await page.goto(`${hub.url}/stream-test?token=${admin}&shows=page-show`);
    assert.equal(response!.status(), 200);
    assert.match(response!.headers()['content-security-policy'] ?? '', /script-src[^;]*'sha256-/, 'the inline script is allowed by hash, not unsafe-inline');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'open', undefined, { timeout: 30_000 });

    await page.selectOption('#send-type', 'product_created');
    const template = JSON.parse(await page.inputValue('#send-body'));
    assert.equal(template.type, 'product_created');
    template.product.name = 'Hammered silver hoops from the form';
    await page.fill('#send-body', JSON.stringify(template));
    assert.equal(await page.inputValue('#send-show'), 'page-show');
    await page.click('#send');
    await page.waitForFunction(() => /stored as [a-z0-9]{8}-\d+/.test(document.getElementById('send-result')!.textContent ?? ''), undefined, { timeout: 30_000 });

    const arrived = page.locator('#events .ev[data-type="product_created"]');
    await arrived.waitFor({ timeout: 30_000 });
    assert.match(await arrived.innerText(), /"name": "Hammered silver hoops from the form"/);
    assert.match(await arrived.innerText(), /page-show/);
    assert.equal(await page.textContent('#c-received'), '1');
    const id = /stored as ([a-z0-9]{8}-\d+)/.exec((await page.textContent('#send-result'))!)![1];
    assert.equal(await page.textContent('#c-last'), id);

    // A bad event gets the hub's 400 with the failing field named, in the page.
    await page.fill('#send-body', JSON.stringify({ type: 'viewer_joined', viewers: -3 }));
    await page.click('#send');
    await page.waitForFunction(() => document.getElementById('send-result')!.className === 'err', undefined, { timeout: 30_000 });
    assert.match((await page.textContent('#send-result'))!, /^400 validation_failed: .*\n {2}viewers: /);

    // An event from the CLI shows up too, and gaps stay 0 for the simulator's numbered events.
    const agent = await hub.token('agent', ['page-show']);
    const sim = await runCli(['simulate', '--hub', hub.url, '--token', agent, '--show', 'page-show', '--rate', '20', '--duration', '2', '-q']);
    assert.equal(sim.code, 0, sim.stderr);
    await page.waitForSelector('#events .ev[data-type="show_ended"]', { timeout: 30_000 });
    assert.equal(await page.textContent('#c-gaps'), '0');
    assert.equal(await page.textContent('#c-dups'), '0');
    assert.deepEqual(problems, []);
  });

  it('links to the API docs, which open from it', async () => {
    const page = await browser.newPage();
    await page.goto(`${hub.url}/stream-test`);
    await page.getByRole('link', { name: 'API docs' }).click();
    await page.getByRole('heading', { name: 'Showwire hub', exact: true }).waitFor({ timeout: 60_000 });
    assert.equal(new URL(page.url()).pathname, '/docs/');
    await page.close();
  });
});
