import { availableParallelism } from 'node:os';

/** A positive number from the environment (BENCH_*), or the default: one reader for every bench script. */
export const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

/** Sizes of `npm run bench` (and `bench:redis`); the defaults are issue #18's. */
export const settings = {
  subscribers: num('BENCH_SUBSCRIBERS', 1000),
  rate: num('BENCH_RATE', 100),
  rateHigh: num('BENCH_RATE_HIGH', 300),
  seconds: num('BENCH_SECONDS', 10),
  idleSubscribers: num('BENCH_IDLE_SUBSCRIBERS', 10_000),
  ingestConcurrency: num('BENCH_INGEST_CONCURRENCY', 64),
  ingestSeconds: num('BENCH_INGEST_SECONDS', 5),
  batch: num('BENCH_BATCH', 100),
  agentEvents: num('BENCH_AGENT_EVENTS', 50_000),
  streamEvents: num('BENCH_STREAM_EVENTS', 100_000),
  resumeEvents: num('BENCH_RESUME_EVENTS', 10_000),
  webhookEvents: num('BENCH_WEBHOOK_EVENTS', 20_000),
  workers: num('BENCH_WORKERS', Math.max(2, availableParallelism())),
};

/** Sizes of `npm run bench:floor` (bench/floor.ts); the defaults are issue #23's support floor. */
export const floorSettings = {
  shows: num('BENCH_FLOOR_SHOWS', 200),
  rate: num('BENCH_FLOOR_RATE', 5),
  walls: num('BENCH_FLOOR_WALLS', 20),
  perShow: num('BENCH_FLOOR_PER_SHOW', 2),
  seconds: num('BENCH_FLOOR_SECONDS', 60),
  writeDelayMs: num('BENCH_FLOOR_WRITE_DELAY_MS', 20),
};
