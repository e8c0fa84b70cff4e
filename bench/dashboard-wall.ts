import { rmSync } from 'node:fs';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { postJson, spawnHub, tempDir } from '@showwire/testkit';
import { num } from './settings.js';
import { measure, ms, PROBE, summary } from './page-probe.js';

/**
 * `npm run bench:dashboard:wall`: is the wall smooth with many live shows? A real hub (its own
 * process, auth off) gets BENCH_WALL_SHOWS (100) shows, each with a turn's latency; Chromium opens
 * the wall; then every show gets BENCH_WALL_RATE (5) events/s for BENCH_WALL_SECONDS (10) s
 * (transcript lines, viewer counts, agent states, turn metrics; every 10th show stalls halfway so
 * alerts are raised and the wall re-ranks). Reported: p50/p95/p99 frame time and long tasks.
 */
const SHOWS = num('BENCH_WALL_SHOWS', 100);
const RATE = num('BENCH_WALL_RATE', 5);
const SECONDS = num('BENCH_WALL_SECONDS', 10);
const WAIT_MS = 300_000;

async function main() {
  const dataDir = tempDir('showwire-bench-wall-');
  const hub = await spawnHub({
    HUB_DATA_DIR: dataDir, HUB_AUTH: 'off', HUB_LOG_LEVEL: 'warn', HUB_HEARTBEAT_MS: '1000',
    HUB_RATE_LIMIT_INGEST: '0', HUB_RATE_LIMIT_INGEST_IP: '0',
    // Stalled shows raise within the run, so ranking by alerts is part of what is measured.
    HUB_ALERT_STREAM_STALLED_MS: String(Math.max(2000, (SECONDS * 1000) / 4)),
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-precise-memory-info'],
  });
  try {
    // One batch per tick for all shows: the agent streaming guide's batch ingest.
    const post = async (events: unknown[]) => {
      const r = await postJson(`${hub.url}/api/agent/data`, events);
      if (r.status !== 201) throw new Error(`publish: ${r.status} ${JSON.stringify(r.body)}`);
    };
    const shows = Array.from({ length: SHOWS }, (_, i) => `wall-${String(i).padStart(3, '0')}`);
    await post(shows.flatMap((show, i) => [
      { show, type: 'show_started', title: `Show ${i}` },
      { show, type: 'agent_ready' },
      { show, type: 'turn_metrics', e2eMs: 700 + (i % 13) * 150 },
    ]));

    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await page.addInitScript({ content: PROBE });
    const opened = Date.now();
    await page.goto(`${hub.url}/`);
    await page.waitForFunction((n) => document.querySelectorAll('.cards [data-show]').length === n, SHOWS, { timeout: WAIT_MS, polling: 100 });
    const loadMs = Date.now() - opened;
    await page.waitForFunction(() => document.querySelector('[data-connection]')?.getAttribute('data-connection') === 'live', null, { timeout: WAIT_MS });

    const ticks = Math.round(RATE * SECONDS);
    let sent = 0;
    let streamMs = 0;
    const streamed = await measure(page, async () => {
      const start = Date.now();
      for (let t = 0; t < ticks; t++) {
        const wait = start + (t * 1000) / RATE - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const live = shows.filter((_, i) => !(i % 10 === 0 && t > ticks / 2));
        await post(live.map((show, i) => {
          const kind = (t + i) % 5;
          return kind === 0
            ? { show, type: 'viewer_joined', viewers: 10 + t }
            : kind === 1
              ? { show, type: 'turn_metrics', e2eMs: 600 + ((t * 37 + i * 11) % 1800) }
              : kind === 2
                ? { show, type: 'agent_state', state: t % 2 ? 'speaking' : 'listening' }
                : { show, type: 'transcript', text: `line ${t} of ${show}: twenty percent off tonight`, role: t % 2 ? 'agent' : 'user', final: true };
        }));
        sent += live.length;
      }
      streamMs = Date.now() - start;
      await page.waitForTimeout(1000);
    });
    const trouble = await page.locator('[data-filter="trouble"] .count').innerText();
    const s = summary(streamed);
    console.log(`\nDashboard wall: ${SHOWS} shows at ${RATE} events/s each for ${SECONDS} s (${sent} events in ${(streamMs / 1000).toFixed(1)} s)`);
    console.log(`machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; Chromium ${browser.version()} headless`);
    console.log(`wall loaded ${SHOWS} cards ${loadMs} ms after navigation; Trouble count at the end: ${trouble} (every 10th show stalled)`);
    console.log(`frames ${s.frames}  p50 ${ms(s.frameP50Ms)}  p95 ${ms(s.frameP95Ms)}  p99 ${ms(s.frameP99Ms)}  max ${ms(s.frameMaxMs)}  >50 ms: ${s.framesOver50Ms}  long tasks ${s.longTasks} (total ${s.longTaskTotalMs} ms, max ${s.longTaskMaxMs} ms)  heap ${s.heapMB} MB`);
    console.log(JSON.stringify({ shows: SHOWS, rate: RATE, seconds: SECONDS, sent, loadMs, streamMs, trouble: Number(trouble), ...s }));
  } finally {
    await browser.close();
    hub.child.kill('SIGTERM');
    await hub.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
