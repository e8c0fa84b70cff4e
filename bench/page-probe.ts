import type { Page } from 'playwright-core';

/** What both dashboard benchmarks measure in the page: long tasks, frame times, the JS heap. */

/**
 * Installed before the app loads; `window.__bench` starts and stops one measurement window.
 * Plain JavaScript text: a function would be rewritten by tsx (name helpers the page lacks).
 */
export const PROBE = `(() => {
  let on = true, longTasks = [], frames = [], last = 0;
  new PerformanceObserver((list) => { if (on) for (const e of list.getEntries()) longTasks.push(e.duration); }).observe({ type: 'longtask' });
  const tick = (t) => { if (on && last) frames.push(t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.__bench = {
    start() { longTasks = []; frames = []; last = 0; on = true; },
    stop() { on = false; return { longTasks, frames, heap: performance.memory ? performance.memory.usedJSHeapSize : null }; },
  };
})();`;

export type Sample = { longTasks: number[]; frames: number[]; heap: number | null };

export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
export const ms = (n: number) => `${n.toFixed(1)} ms`;

export function summary(s: Sample) {
  const f = [...s.frames].sort((a, b) => a - b);
  return {
    longTasks: s.longTasks.length,
    longTaskTotalMs: Math.round(s.longTasks.reduce((a, b) => a + b, 0)),
    longTaskMaxMs: Math.round(Math.max(0, ...s.longTasks)),
    frames: f.length,
    frameP50Ms: pct(f, 50),
    frameP95Ms: pct(f, 95),
    frameP99Ms: pct(f, 99),
    frameMaxMs: f.at(-1) ?? NaN,
    framesOver50Ms: f.filter((x) => x > 50).length,
    heapMB: s.heap === null ? null : Math.round((s.heap / 2 ** 20) * 10) / 10,
  };
}

export async function measure(page: Page, during: () => Promise<unknown>): Promise<Sample> {
  await page.evaluate(() => (window as unknown as { __bench: { start(): void } }).__bench.start());
  await during();
  return page.evaluate(() => (window as unknown as { __bench: { stop(): Sample } }).__bench.stop());
}

