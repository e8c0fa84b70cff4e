import { rmSync } from 'node:fs';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { postJson, spawnHub, tempDir } from '@showwire/testkit';
import { num } from './settings.js';
import { measure, ms, PROBE, summary, type Sample } from './page-probe.js';

/**
 * `npm run bench:dashboard`: is the show view smooth with a large show? A real hub (its own
 * process, auth off) gets BENCH_DASHBOARD_LINES (20000) transcript lines; Chromium opens the show
 * view from the built dashboard; then BENCH_DASHBOARD_RATE (50) events/s are published for
 * BENCH_DASHBOARD_SECONDS (10) s, mostly transcript lines with viewer counts and agent states
 * mixed in. Measured in the page during the stream: long tasks (PerformanceObserver 'longtask',
 * > 50 ms on the main thread), frame times between requestAnimationFrame callbacks, and the JS heap.
 */
const LINES = num('BENCH_DASHBOARD_LINES', 20_000);
const RATE = num('BENCH_DASHBOARD_RATE', 50);
const SECONDS = num('BENCH_DASHBOARD_SECONDS', 10);
const SHOW = 'bench-show';
const WAIT_MS = 600_000;

async function main() {
  const dataDir = tempDir('showwire-bench-dashboard-');
  const hub = await spawnHub({ HUB_DATA_DIR: dataDir, HUB_AUTH: 'off', HUB_LOG_LEVEL: 'warn', HUB_HEARTBEAT_MS: '1000', HUB_RATE_LIMIT_INGEST: '0', HUB_RATE_LIMIT_INGEST_IP: '0' });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-precise-memory-info'],
  });
  try {
    const post = async (events: unknown[]) => {
      const r = await postJson(`${hub.url}/api/shows/${SHOW}/events`, events);
      if (r.status !== 201) throw new Error(`publish: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.ids as string[];
    };
    await post([{ type: 'show_started', title: 'Benchmark show' }, { type: 'agent_ready' }]);
    for (let i = 0; i < LINES; i += 1000) {
      await post(Array.from({ length: Math.min(1000, LINES - i) }, (_, k) => ({ type: 'transcript', text: `history line ${i + k}: the quick brown fox jumps over the lazy dog`, role: (i + k) % 2 ? 'agent' : 'user', final: true })));
    }
    const preloaded = LINES + 2;

    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.addInitScript({ content: PROBE });
    const opened = Date.now();
    await page.goto(`${hub.url}/shows/${SHOW}`);
    await page.waitForFunction((n) => document.querySelector('[data-testid="show-view"]')?.getAttribute('data-event-count') === String(n), preloaded, { timeout: WAIT_MS, polling: 100 });
    const loadMs = Date.now() - opened;
    const loading = await page.evaluate(() => (window as unknown as { __bench: { stop(): Sample } }).__bench.stop());
    await page.waitForFunction(() => document.querySelector('[data-connection]')?.getAttribute('data-connection') === 'live', null, { timeout: WAIT_MS });
    const idle = await measure(page, async () => new Promise((r) => setTimeout(r, 2000)));

    const total = Math.round(RATE * SECONDS);
    const interval = 1000 / RATE;
    let late = 0;
    let streamMs = 0;
    const streamed = await measure(page, async () => {
      const start = Date.now();
      for (let i = 0; i < total; i++) {
        const due = start + i * interval;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else if (wait < -interval) late++;
        const kind = i % 10;
        await post([
          kind === 3
            ? { type: 'viewer_joined', viewers: 100 + i }
            : kind === 7
              ? { type: 'agent_state', state: i % 20 === 7 ? 'speaking' : 'listening' }
              : { type: 'transcript', text: `live line ${i}: twenty percent off the Cloud Runner tonight`, role: i % 2 ? 'agent' : 'user', final: true },
        ]);
      }
      streamMs = Date.now() - start;
      await page.waitForFunction((n) => document.querySelector('[data-testid="show-view"]')?.getAttribute('data-event-count') === String(n), preloaded + total, { timeout: WAIT_MS, polling: 100 });
    });
    const rows = await page.locator('.transcript-scroll .vrow').count();

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\nDashboard show view: ${LINES} lines of history, then ${RATE} events/s for ${SECONDS} s (${total} events)`);
    console.log(`machine: ${os.availableParallelism()} CPUs (${cpu}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; Chromium ${browser.version()} headless`);
    console.log(`history load: ${preloaded} events applied ${loadMs} ms after navigation; transcript rows in the DOM: ${rows}`);
    console.log(`published ${total} events in ${(streamMs / 1000).toFixed(1)} s (${((total * 1000) / streamMs).toFixed(1)}/s)${late ? `; ${late} sends went out more than ${interval} ms late (busy machine)` : ''}`);
    const table = { 'history load': summary(loading), 'idle (2 s, live)': summary(idle), [`streaming ${RATE}/s`]: summary(streamed) };
    for (const [name, s] of Object.entries(table)) {
      console.log(
        `${name.padEnd(18)} frames ${String(s.frames).padStart(4)}  p50 ${ms(s.frameP50Ms)}  p99 ${ms(s.frameP99Ms)}  max ${ms(s.frameMaxMs)}  >50 ms: ${s.framesOver50Ms}  long tasks ${s.longTasks} (total ${s.longTaskTotalMs} ms, max ${s.longTaskMaxMs} ms)  heap ${s.heapMB} MB`,
      );
    }
    console.log(JSON.stringify({ lines: LINES, rate: RATE, seconds: SECONDS, loadMs, streamMs, rows, ...table }));
  } finally {
    await browser.close();
    hub.child.kill('SIGTERM');
    await hub.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
