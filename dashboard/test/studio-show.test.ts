import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dispose } from '@livekit/rtc-node';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freeTcpPort, listen, postJson, startFakeOpenAI, startHub, startLiveKit, startReceiver, tempDir, type FakeOpenAI, type LiveKitServer, type Receiver, type TestHub } from '@showwire/testkit';
import { startWorker, type Worker } from '@showwire/testkit/show-room';
import { ensureBuilt, openPage, waitAttr } from './helpers/browser.js';

/**
 * A show end to end in real browsers, all real parts but OpenAI: livekit-server, the hub, the
 * agent worker, a host in the studio whose Chromium microphone plays espeak-ng speech asking for
 * a product, and two viewers on the viewer page, in the room before the agent is dispatched.
 * The product reaches the viewers through the room's data channel (the hub's relay), a viewer's
 * cart reaches the host and the staff stream, the end reaches everyone, and the summary reaches
 * the host and a webhook receiver. Runs STUDIO_SHOW_RUNS times (5 by default) and prints the
 * latency from the end of the host's speech to the product on the viewers' screens.
 */
const REQUEST = 'Please create a blue linen shirt for forty nine euros fifty.';
const AGENT_NAME = `showwire-studio-${process.pid}`;
const RUNS = Number(process.env.STUDIO_SHOW_RUNS ?? 5);
const STEP_MS = 120_000;

type Data = Record<string, any>;

/** The request as a 48 kHz mono WAV for Chromium's fake microphone, and how long the speech lasts (ms). */
function speechWav(): { path: string; ms: number } {
  const dir = tempDir('showwire-studio-speech-');
  const raw = join(dir, 'raw.wav');
  const path = join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-w', raw, REQUEST]);
  execFileSync('sox', [raw, '-r', '48000', '-b', '16', '-c', '1', path]);
  const seconds = Number(execFileSync('sox', ['--i', '-D', path]).toString().trim());
  return { path, ms: Math.round(seconds * 1000) };
}

const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length / 2) - 1]!;

describe('a show in real browsers: studio, two viewers, the agent', () => {
  let livekit: LiveKitServer;
  let hub: TestHub;
  let fake: FakeOpenAI;
  let worker: Worker | undefined;
  let receiver: Receiver;
  let browser: Browser;
  let speech: { path: string; ms: number };
  const streams: Array<{ close: () => void }> = [];

  before(async () => {
    ensureBuilt();
    speech = speechWav();
    const port = await freeTcpPort();
    [livekit, fake, receiver] = await Promise.all([
      startLiveKit({ webhookUrls: [`http://127.0.0.1:${port}/api/livekit/webhook`] }),
      startFakeOpenAI({ transcript: REQUEST }),
      startReceiver(),
    ]);
    hub = await startHub({ PORT: String(port), HUB_LOG_LEVEL: 'warn', LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret, AGENT_NAME, HUB_WEBHOOK_ALLOW_PRIVATE: 'true' });
    const hook = await postJson(`${hub.url}/api/webhooks/endpoints`, { url: receiver.url, types: ['show_summary'] }, await hub.token('admin'));
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    worker = await startWorker({ livekit, hub, fake, agentName: AGENT_NAME });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        // %noloop: the speech plays once per capture; the host restarts the capture to speak again.
        `--use-file-for-fake-audio-capture=${speech.path}%noloop`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
  });
  after(async () => {
    for (const s of streams) s.close();
    await browser?.close();
    await worker?.stop();
    await Promise.all([livekit?.stop(), fake?.close(), receiver?.close()]);
    await hub?.close();
    // The agent bar's pause/resume go through the hub's control route, which joins the room with
    // rtc-node in this process; its native client keeps the process alive until disposed.
    await dispose();
  });

  const workerLog = () => `\n--- worker ---\n${worker?.log.telling().slice(-3000) ?? ''}`;

  async function viewer(show: string, name: string): Promise<{ page: Page; identity: string; close: () => Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${hub.url}/stream-test/watch/${show}?name=${name}`);
    await waitAttr(page, 'body', 'data-connected', (v) => v === 'true', STEP_MS);
    const identity = (await page.locator('body').getAttribute('data-identity'))!;
    return { page, identity, close: () => context.close() };
  }

  test('an agent dispatched before its host arrives: the studio and the staff wall say it is waiting, not missing', async () => {
    const show = 'studio-waiting';
    const admin = await hub.token('admin');
    const dispatched = await postJson(`${hub.url}/api/streaming/dispatch-agent`, { roomName: show }, admin);
    assert.equal(dispatched.status, 201, JSON.stringify(dispatched.body));
    const studio = await openPage(browser, `${hub.url}/studio/${show}`, await hub.token('host', [show], 600, 'host-late'));
    const wall = await openPage(browser, `${hub.url}/`, await hub.token('staff'));
    try {
      await waitAttr(studio.page, '[data-testid="agent-status"]', 'data-agent-status', (v) => v === 'waiting', STEP_MS).catch((e: Error) => {
        throw new Error(`${e.message}${workerLog()}`);
      });
      assert.equal(await studio.page.getByTestId('agent-status').textContent(), 'Agent waiting for the host');
      const chip = wall.page.locator(`[data-show="${show}"] [data-agent-state="waiting"]`);
      await chip.waitFor({ timeout: STEP_MS });
      assert.equal(await chip.textContent(), 'Agent waiting for the host');
      const state = (await (await fetch(`${hub.url}/api/shows/${show}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as Data;
      assert.equal(state.agentWaiting, true);
      assert.equal(state.alerts.filter((a: Data) => a.rule === 'agent_missing').length, 0, 'a waiting agent is not a missing one');
    } finally {
      await postJson(`${hub.url}/api/streaming/rooms/${show}/end`, {}, admin);
      await studio.context.close();
      await wall.context.close();
    }
  });

  test('the host token expires mid-show: refreshed through /api/auth/refresh, the stream and the studio stay up', async () => {
    const show = 'studio-refresh';
    const ttl = 20;
    const token = await hub.token('host', [show], ttl, 'host-refresh');
    const exp = Date.now() + ttl * 1000;
    const studio = await openPage(browser, `${hub.url}/studio/${show}`, token, { width: 390, height: 844 });
    const refreshed: number[] = [];
    studio.page.on('response', (r) => r.url().endsWith('/api/auth/refresh') && refreshed.push(r.status()));
    try {
      await studio.page.getByTestId('go-live').click();
      await waitAttr(studio.page, '[data-testid="studio"]', 'data-phase', (v) => v === 'live', STEP_MS);
      await studio.page.waitForTimeout(exp - Date.now() + 3000);
      assert.deepEqual(refreshed.slice(0, 1), [200], 'the page refreshed its token before it expired');
      // Past the first token's expiry: still the studio, still live, no error, and still in the room.
      assert.equal(await studio.page.getByTestId('studio').getAttribute('data-phase'), 'live');
      assert.equal(await studio.page.getByTestId('studio-error').count(), 0);
      const rooms = (await (await fetch(`${hub.url}/api/streaming/rooms`)).json()) as { rooms: Data[] };
      assert.equal(rooms.rooms.find((r) => r.roomName === show)?.numParticipants, 1, 'the host never left the room');
      // And the show's stream still reaches the studio.
      const posted = await postJson(`${hub.url}/api/shows/${show}/events`, { type: 'transcript', role: 'agent', text: 'Still here after the refresh.' }, await hub.token('agent', [show]));
      assert.ok(posted.status < 300, JSON.stringify(posted.body));
      await studio.page.getByText('Still here after the refresh.', { exact: true }).waitFor({ timeout: STEP_MS });
    } finally {
      await postJson(`${hub.url}/api/streaming/rooms/${show}/end`, {}, await hub.token('admin'));
      await studio.context.close();
    }
  });

  test(`${RUNS} shows in a row: agent linked to the host, products on every screen, carts, the end and the summary`, async () => {
    const latencies: number[] = [];
    const relays: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const show = `studio-show-${run}`;
      const staff = listen(`${hub.url}/api/shows/${show}/stream`, { token: await hub.token('staff') });
      streams.push(staff);
      await staff.opened();
      const events = () => staff.events.map((e) => e.data as Data);
      const context = () => `run ${run}; got: ${events().map((d) => d.type).join(', ')}${workerLog()}`;
      const until = (pred: (d: Data) => boolean, what: string) =>
        staff.until(() => events().some(pred), STEP_MS, what).catch((e: Error) => {
          throw new Error(`${e.message}; ${context()}`);
        });

      // The host goes live from the studio (phone size); its first capture plays the speech into an agentless room.
      const host = await openPage(browser, `${hub.url}/studio/${show}`, await hub.token('host', [show], 3600, `host-${run}`), { width: 390, height: 844 });
      await host.page.getByTestId('go-live').click();
      await waitAttr(host.page, '[data-testid="studio"]', 'data-phase', (v) => v === 'live', STEP_MS).catch(async (e: Error) => {
        throw new Error(`${e.message}: ${await host.page.locator('[data-testid="studio-error"]').innerText().catch(() => 'no error shown')}`);
      });
      const hostIdentity = (await host.page.getByTestId('studio').getAttribute('data-identity'))!;
      assert.ok(hostIdentity, 'the hub gave the host an identity');

      // Two viewers are in the room before the agent is dispatched; the first capture is over by then.
      const viewers = [await viewer(show, 'Ada'), await viewer(show, 'Bo')];
      assert.notEqual(viewers[0]!.identity, viewers[1]!.identity, 'each viewer has its own hub-chosen identity');
      // Both viewers see the host's camera and get its audio; the studio and the viewers agree on the count.
      for (const v of viewers) {
        await v.page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, undefined, { timeout: STEP_MS });
        await v.page.waitForFunction(() => document.querySelectorAll('audio').length > 0, undefined, { timeout: STEP_MS });
      }
      await waitAttr(host.page, '[data-testid="studio-viewers"]', 'data-viewers', (v) => Number(v) >= 2, STEP_MS);
      const counted = await host.page.getByTestId('studio-viewers').getAttribute('data-viewers');
      for (const v of viewers)
        await v.page.locator('#viewer-count', { hasText: new RegExp(`^${counted}$`) }).waitFor({ timeout: 30_000 }).catch(async (e: Error) => {
          const seen = await v.page.evaluate(() => [document.getElementById('viewer-count')!.textContent, JSON.stringify((window as any).showwire.events.map((x: any) => [x.type, x.viewers]))]);
          throw new Error(`${e.message}: ${v.identity} shows ${seen[0]}, relayed ${seen[1]}; ${context()}`);
        });

      // The show's title, set by its host, reaches the viewers through the room and the Live Now grid.
      const title = `Linen Friday ${run}`;
      const meta = await fetch(`${hub.url}/api/streaming/rooms/${show}/metadata`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await hub.token('host', [show], 600, `host-${run}`)}` },
        body: JSON.stringify({ title }),
      });
      assert.equal(meta.status, 200);
      for (const v of viewers) await v.page.locator('#title', { hasText: title }).waitFor({ timeout: STEP_MS });
      const grid = await browser.newPage();
      await grid.goto(`${hub.url}/stream-test/watch`);
      const card = grid.locator(`[data-testid="live-now"] [data-room="${show}"]`);
      await card.waitFor({ timeout: STEP_MS });
      assert.match(await card.innerText(), new RegExp(`LIVE[\\s\\S]*${title}[\\s\\S]*3 in the room`));
      await grid.close();
      await host.page.waitForTimeout(Math.max(0, speech.ms + 1000));

      await host.page.getByTestId('agent-toggle').click();
      await until((d) => d.type === 'agent_ready', 'agent_ready');
      await waitAttr(host.page, '[data-testid="agent-status"]', 'data-agent-status', (v) => v === 'ready', STEP_MS);
      const waitingAt = events().findIndex((d) => d.type === 'agent_waiting');
      assert.ok(waitingAt >= 0 && waitingAt < events().findIndex((d) => d.type === 'agent_ready'), `agent_waiting before agent_ready; ${context()}`);
      assert.equal(events()[waitingAt]!.host, hostIdentity, 'the studio named its host in the dispatch');

      // The host speaks: picking another microphone than the default restarts the capture, which
      // plays the request from its start (option 0 is "Default", 1 the default device itself).
      const mic = host.page.locator('select[data-device-kind="microphone"]');
      assert.ok((await mic.locator('option').count()) >= 3, 'Chromium lists its fake microphones');
      const spokeAt = Date.now();
      await mic.selectOption({ index: 2 });
      const speechEnd = spokeAt + speech.ms;
      await until((d) => d.type === 'product_added_to_show', 'product_added_to_show');
      const said = events().find((d) => d.type === 'transcript' && d.role === 'user' && d.final);
      assert.equal(said?.participant, hostIdentity, `the agent heard the host, not a viewer; ${context()}`);
      assert.ok(!viewers.some((v) => v.identity === said?.participant));
      const productId = events().find((d) => d.type === 'product_added_to_show')!.productId as string;

      // The product on the host's screen, and on both viewers' carousels through the data channel.
      await host.page.locator(`.carousel [data-product="${productId}"]`).waitFor({ timeout: STEP_MS });
      const seen: number[] = [];
      for (const v of viewers) {
        await v.page.locator(`[data-testid="carousel"] [data-product="${productId}"]`).waitFor({ timeout: STEP_MS });
        const relayed = await v.page.evaluate((id) => (window as unknown as { showwire: { events: Data[] } }).showwire.events.some((e) => e.type === 'product_added_to_show' && e.productId === id), productId);
        assert.ok(relayed, 'the carousel came from the room data channel');
        seen.push(await v.page.evaluate((id) => (window as unknown as { showwire: { seenAt: Record<string, number> } }).showwire.seenAt[id]!, productId));
      }
      latencies.push(Math.max(...seen) - speechEnd);
      // The hub's share: from storing the carousel event to both viewers showing it (same machine clock).
      relays.push(Math.max(...seen) - Math.round(events().find((d) => d.type === 'product_added_to_show')!.receivedAt * 1000));
      assert.match(await viewers[0]!.page.locator(`[data-testid="carousel"] [data-product="${productId}"]`).innerText(), /Linen Shirt/);

      // A viewer's add to cart reaches the host's studio and the staff stream (what the wall reads).
      const buyer = viewers[0]!;
      await buyer.page.locator(`[data-testid="carousel"] [data-product="${productId}"] [data-action="details"]`).click();
      assert.match(await buyer.page.getByTestId('product-details').innerText(), /Blue linen, all sizes/);
      await buyer.page.locator(`[data-testid="carousel"] [data-product="${productId}"] [data-action="add"]`).click();
      await buyer.page.getByText('Linen Shirt is in your cart.').waitFor({ timeout: STEP_MS });
      await until((d) => d.type === 'cart_event', 'cart_event');
      const cart = events().filter((d) => d.type === 'cart_event');
      assert.deepEqual(cart.map((d) => [d.userId, d.productId, d.action, d.quantity]), [[buyer.identity, productId, 'add_to_cart', 1]]);
      await waitAttr(host.page, '[data-testid="cart-feed"]', 'data-cart-adds', (v) => v === '1', STEP_MS);

      // The host's agent bar acts on the agent in the room: Pause, then Resume, each audited and said.
      const bar = host.page.getByTestId('agent-bar');
      await bar.locator('[data-control="pause"]:enabled').click({ timeout: STEP_MS });
      await waitAttr(host.page, '[data-testid="agent-bar"]', 'data-paused', (v) => v === 'true', STEP_MS);
      assert.equal(await bar.locator('[data-control-outcome]').getAttribute('data-control-outcome'), 'ok');
      assert.equal(await bar.locator('[data-control="pause"]').isDisabled(), true, 'paused: only Resume is offered');
      await until((d) => d.type === 'control' && d.action === 'pause' && d.ok === true, 'control pause');
      await bar.locator('[data-control="resume"]:enabled').click({ timeout: STEP_MS });
      await waitAttr(host.page, '[data-testid="agent-bar"]', 'data-paused', (v) => v === 'false', STEP_MS);
      await until((d) => d.type === 'control' && d.action === 'resume' && d.ok === true, 'control resume');

      // The host ends the show: viewers see the ended screen with the product, the host the summary.
      await host.page.getByTestId('end-show').click();
      for (const v of viewers) {
        await v.page.getByTestId('ended-screen').waitFor({ timeout: STEP_MS });
        assert.match(await v.page.getByTestId('featured').innerText(), /Linen Shirt/);
      }
      await host.page.getByTestId('show-summary').waitFor({ timeout: STEP_MS });
      await host.page.locator('[data-figure="adds"] .big', { hasText: /^1$/ }).waitFor({ timeout: STEP_MS });
      await receiver.until(() => receiver.received.some((d) => d.event?.type === 'show_summary' && d.event.show === show), `show_summary for ${show}`, STEP_MS);
      const summary = receiver.received.find((d) => d.event?.type === 'show_summary' && d.event.show === show)!.event;
      assert.equal(summary.cart.adds, 1);
      assert.equal(summary.products.onCarousel, 1);

      staff.close();
      for (const v of viewers) await v.close();
      await host.context.close();
    }
    const report = { runs: RUNS, endOfSpeechToViewersMs: { p50: p50(latencies), max: Math.max(...latencies), all: latencies }, storedToViewersMs: { p50: p50(relays), max: Math.max(...relays), all: relays } };
    console.log(`studio-show latency: ${JSON.stringify(report)}`);
    assert.ok(latencies.every((ms) => ms > 0 && ms < 60_000), JSON.stringify(report));
  });
});
