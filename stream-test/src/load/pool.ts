import { Worker } from 'node:worker_threads';
import type { FloodStats } from './flood.js';
import { merge, newHistogram } from './histogram.js';
import type { Target } from './payload.js';
import type { SubscriberStats } from './subscribers.js';

// Run from source (tsx) the worker is a .ts file next to this one; built, a .js file.
const fromSource = import.meta.url.endsWith('.ts');
const WORKER = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
/** Node 20 does not carry tsx's loader hooks into worker threads: from source, a worker registers them first. */
const spawnWorker = () =>
  fromSource
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(WORKER.href)}); })`, {
        eval: true,
      })
    : new Worker(WORKER);

/** Splits `total` into `parts` near-equal whole shares. */
const shares = (total: number, parts: number) => Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/**
 * Load worker threads, driven as one: subscribers and flood connections are split across them
 * and their statistics summed.
 */
export function createPool(size: number) {
  const workers = Array.from({ length: Math.max(1, size) }, spawnWorker);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  for (const w of workers) {
    w.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`load worker exited (${code})`)));
  }
  const call = <T>(w: Worker, msg: object) =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ ...msg, id });
    });
  const all = <T>(msgs: object[]) => Promise.all(workers.map((w, i) => call<T>(w, msgs[i]!)));

  return {
    size: workers.length,
    /**
     * Opens `count` SSE subscribers to `url` (or one to each of `url`'s URLs); resolves when each
     * answered (or failed). `group` names them apart from other kinds opened meanwhile, `channels`
     * is how many channels each hears (see openSubscribers).
     */
    async connect(url: string | string[], count: number, headers: Record<string, string> = {}, o: { group?: string; channels?: number } = {}) {
      let from = 0;
      const msgs = shares(count, workers.length).map((c) => {
        const part = typeof url === 'string' ? url : url.slice(from, (from += c));
        return { op: 'connect', url: part, count: c, headers, ...o };
      });
      return sumSubscribers(await all<SubscriberStats>(msgs));
    },
    /** Waits until every subscriber (of `group`) has `expected` events, or `timeoutMs`. */
    async waitFor(expected: number, timeoutMs: number, group?: string) {
      return sumSubscribers(await all<SubscriberStats>(workers.map(() => ({ op: 'wait', expected, timeoutMs, group }))));
    },
    async closeSubscribers() {
      await all(workers.map(() => ({ op: 'close' })));
    },
    /** POSTs from `concurrency` connections for `durationMs`: single events, or batches of `batch` (see flood). */
    async flood(target: Target, concurrency: number, durationMs: number, batch = 1) {
      const parts = await all<FloodStats>(shares(concurrency, workers.length).map((c) => ({ op: 'flood', target, concurrency: c, durationMs, batch })));
      return parts.reduce((a, b) => {
        for (const [k, v] of Object.entries(b.statuses)) a.statuses[k] = (a.statuses[k] ?? 0) + v;
        return { ok: a.ok + b.ok, failed: a.failed + b.failed, events: a.events + b.events, statuses: a.statuses, latency: merge(a.latency, b.latency) };
      });
    },
    async terminate() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

export type Pool = ReturnType<typeof createPool>;

function sumSubscribers(parts: SubscriberStats[]): SubscriberStats {
  const sum: SubscriberStats = { connected: 0, failed: 0, dropped: 0, complete: 0, received: 0, outOfSequence: 0, latency: newHistogram(), lastUs: 0, errors: [] };
  for (const p of parts) {
    sum.connected += p.connected;
    sum.failed += p.failed;
    sum.dropped += p.dropped;
    sum.complete += p.complete;
    sum.received += p.received;
    sum.outOfSequence += p.outOfSequence;
    sum.lastUs = Math.max(sum.lastUs, p.lastUs);
    merge(sum.latency, p.latency);
    sum.errors.push(...p.errors.slice(0, 5 - sum.errors.length));
  }
  return sum;
}
