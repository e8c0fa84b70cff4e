import { quantile } from './histogram.js';
import { nowUs, type Target } from './payload.js';
import type { Pool } from './pool.js';
import { cpuUs, rssKiB } from './proc-stats.js';
import { publishPaced } from './publisher.js';

/** The server's processes, when it runs on this machine: its CPU and memory come from /proc. */
export type ServerPids = () => number[];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null);

/**
 * Starts measuring the server's cost over a window; the function it answers ends the window and
 * reports, for `deliveries` made in it, CPU per delivery, CPU share of a core, its kernel share and RSS.
 */
export function measureServer(server?: ServerPids) {
  const cpu0 = server ? cpuUs(server()) : undefined;
  const t0 = performance.now();
  return (deliveries: number) => {
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = server ? cpuUs(server()) : undefined;
    const cpu = cpu0 && cpu1 ? cpu1.total - cpu0.total : NaN;
    const kernel = cpu0 && cpu1 ? cpu1.system - cpu0.system : NaN;
    const rss = server ? rssKiB(server()) : NaN;
    return {
      elapsed,
      serverCpuUsPerDelivery: round(cpu / deliveries, 2),
      serverCpuPercent: round((cpu / 1e6 / elapsed) * 100),
      serverCpuKernelShare: round(kernel / cpu, 2),
      serverRssMiB: round(rss / 1024),
    };
  };
}

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
  const measured = measureServer(server);
  const published = await publishPaced(target, o.rate, o.seconds * 1000);
  const subs = await pool.waitFor(published.ok, o.drainMs ?? 15_000);
  const { elapsed, ...cost } = measured(subs.received);
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
    ...cost,
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

/**
 * Concurrent POSTs as fast as the server answers them: single events, or `batch` events per POST
 * to the target's batch endpoint.
 */
export async function runIngest(pool: Pool, target: Target, o: { concurrency: number; seconds: number; batch?: number }, server?: ServerPids) {
  const batch = o.batch ?? 1;
  const cpu0 = server ? cpuUs(server()).total : NaN;
  const t0 = performance.now();
  const r = await pool.flood(target, o.concurrency, o.seconds * 1000, batch);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = server ? cpuUs(server()).total - cpu0 : NaN;
  return {
    target: target.name,
    concurrency: o.concurrency,
    batch,
    accepted: r.events,
    failed: r.failed,
    statuses: r.statuses,
    eventsPerSec: Math.round(r.events / elapsed),
    p50Ms: round(quantile(r.latency, 0.5) / 1000, 2),
    p99Ms: round(quantile(r.latency, 0.99) / 1000, 2),
    serverCpuUsPerEvent: round(cpu / r.events, 1),
  };
}

/**
 * One subscriber that missed `expected` events asks for them (`subUrl` and `headers` carry the
 * server's resume point): the time from its request to the last of them, and whether it got all
 * of them once, in order.
 */
export async function runResume(pool: Pool, resume: { name: string; subUrl: string; headers?: Record<string, string> }, expected: number, server?: ServerPids) {
  const cpu0 = server ? cpuUs(server()).total : NaN;
  const t0 = nowUs();
  const conn = await pool.connect(resume.subUrl, 1, resume.headers ?? {});
  const subs = await pool.waitFor(expected, 30_000);
  const cpu = server ? cpuUs(server()).total - cpu0 : NaN;
  await pool.closeSubscribers();
  const complete = conn.connected === 1 && subs.complete === 1 && subs.outOfSequence === 0 && subs.received === expected;
  return {
    target: resume.name,
    expected,
    received: subs.received,
    outOfSequence: subs.outOfSequence,
    complete,
    ms: complete ? round((subs.lastUs - t0) / 1000, 1) : null,
    serverCpuMs: round(cpu / 1000, 1),
    errors: [...conn.errors, ...subs.errors],
  };
}

export type FanoutResult = Awaited<ReturnType<typeof runFanout>>;
export type IdleResult = Awaited<ReturnType<typeof runIdle>>;
export type IngestResult = Awaited<ReturnType<typeof runIngest>>;
export type ResumeResult = Awaited<ReturnType<typeof runResume>>;
