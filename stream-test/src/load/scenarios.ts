import { quantile } from './histogram.js';
import type { Target } from './payload.js';
import type { Pool } from './pool.js';
import { cpuUs, rssKiB } from './proc-stats.js';
import { publishPaced } from './publisher.js';

/** The server's processes, when it runs on this machine: its CPU and memory come from /proc. */
export type ServerPids = () => number[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null);

export interface FanoutOptions {
  subscribers: number;
  rate: number;
  seconds: number;
  /** How long after the last publish deliveries may still arrive. */
  drainMs?: number;
}

/** N subscribers on one channel while events are published at a steady rate: throughput, latency, cost, loss. */
export async function runFanout(pool: Pool, target: Target, o: FanoutOptions, server?: ServerPids) {
  const headers = target.headers ?? {};
  const conn = await pool.connect(target.subUrl, o.subscribers, headers);
  await sleep(500);
  const cpu0 = server ? cpuUs(server()) : undefined;
  const t0 = performance.now();
  const published = await publishPaced(target.pubUrl, o.rate, o.seconds * 1000, headers);
  const subs = await pool.waitFor(published.ok, o.drainMs ?? 15_000);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = server ? cpuUs(server()) : undefined;
  const cpu = cpu0 && cpu1 ? cpu1.total - cpu0.total : NaN;
  const kernel = cpu0 && cpu1 ? cpu1.system - cpu0.system : NaN;
  const rss = server ? rssKiB(server()) : NaN;
  await pool.closeSubscribers();
  const expected = published.ok * conn.connected;
  const lost = expected - subs.received;
  return {
    target: target.name,
    subscribers: conn.connected,
    connectFailures: conn.failed,
    published: published.ok,
    publishFailures: published.failed,
    publisherMaxLagMs: round(published.maxLagMs),
    delivered: subs.received,
    expected,
    deliveredPerSec: Math.round(subs.received / elapsed),
    p50Ms: round(quantile(subs.latency, 0.5) / 1000, 2),
    p99Ms: round(quantile(subs.latency, 0.99) / 1000, 2),
    maxMs: round(subs.latency.max / 1000, 2),
    serverCpuUsPerDelivery: round(cpu / subs.received, 2),
    serverCpuPercent: round((cpu / 1e6 / elapsed) * 100),
    serverCpuKernelShare: round(kernel / cpu, 2),
    serverRssMiB: round(rss / 1024),
    lost,
    outOfSequence: subs.outOfSequence,
    dropped: subs.dropped,
    zeroLoss:
      conn.failed === 0 && published.failed === 0 && lost === 0 && subs.outOfSequence === 0 && subs.dropped === 0 && subs.complete === conn.connected,
    errors: [...conn.errors, ...subs.errors],
  };
}

/** N subscribers that receive nothing: what each open connection costs the server in memory. */
export async function runIdle(pool: Pool, target: Target, o: { subscribers: number; settleMs?: number }, server: ServerPids) {
  const settle = o.settleMs ?? 3000;
  await sleep(settle);
  const before = rssKiB(server());
  const conn = await pool.connect(target.subUrl, o.subscribers, target.headers ?? {});
  await sleep(settle);
  const after = rssKiB(server());
  await pool.closeSubscribers();
  return {
    target: target.name,
    subscribers: conn.connected,
    connectFailures: conn.failed,
    rssBeforeMiB: round(before / 1024),
    rssAfterMiB: round(after / 1024),
    rssPerConnectionKiB: round((after - before) / Math.max(1, conn.connected), 2),
    errors: conn.errors,
  };
}

/** Concurrent single-event POSTs as fast as the server answers them. */
export async function runIngest(pool: Pool, target: Target, o: { concurrency: number; seconds: number }, server?: ServerPids) {
  const cpu0 = server ? cpuUs(server()).total : NaN;
  const t0 = performance.now();
  const r = await pool.flood(target.pubUrl, o.concurrency, o.seconds * 1000, target.headers ?? {});
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = server ? cpuUs(server()).total - cpu0 : NaN;
  return {
    target: target.name,
    concurrency: o.concurrency,
    accepted: r.ok,
    failed: r.failed,
    statuses: r.statuses,
    eventsPerSec: Math.round(r.ok / elapsed),
    p50Ms: round(quantile(r.latency, 0.5) / 1000, 2),
    p99Ms: round(quantile(r.latency, 0.99) / 1000, 2),
    serverCpuUsPerEvent: round(cpu / r.ok, 1),
  };
}

export type FanoutResult = Awaited<ReturnType<typeof runFanout>>;
export type IdleResult = Awaited<ReturnType<typeof runIdle>>;
export type IngestResult = Awaited<ReturnType<typeof runIngest>>;
