import { merge, newHistogram, quantile } from './histogram.js';
import type { Target } from './payload.js';
import type { Pool } from './pool.js';
import { publishPaced } from './publisher.js';
import { measureServer, round, sleep, type ServerPids } from './scenarios.js';

/** How one server lays out the floor: a wall stream hearing every show, and a stream and a publish target per show. */
export interface FloorLayout {
  name: string;
  /** A stream of every show (the hub: all shows; Nchan: the show channels multiplexed; Centrifugo: all of them in the token). */
  wallUrl: string;
  /** Show `k`'s own stream. */
  showUrl: (k: number) => string;
  /** Where show `k`'s events are published, one per POST. */
  publish: (k: number) => Target;
}

export interface FloorOptions {
  shows: number;
  /** Events per second per show. */
  rate: number;
  /** Subscribers hearing every show. */
  walls: number;
  /** Subscribers of each show. */
  perShow: number;
  seconds: number;
  /** How long after the last publish deliveries may still arrive. */
  drainMs?: number;
}


/**
 * The support floor: `shows` shows each publishing `rate` events/s from its own connection
 * (started spread over one interval, as real shows are not in step), `walls` subscribers hearing
 * every show and `perShow` subscribers on each show. Every subscriber must get every event of its
 * shows once, in order per show (zero loss); CPU, latency and RSS as in runFanout.
 */
export async function runFloor(pool: Pool, layout: FloorLayout, o: FloorOptions, server?: ServerPids) {
  const shows = Array.from({ length: o.shows }, (_, k) => k);
  const walls = await pool.connect(layout.wallUrl, o.walls, {}, { group: 'walls', channels: o.shows });
  const viewerUrls = shows.flatMap((k) => Array.from({ length: o.perShow }, () => layout.showUrl(k)));
  const viewers = await pool.connect(viewerUrls, viewerUrls.length, {}, { group: 'viewers' });
  await sleep(1000);
  const measured = measureServer(server);
  const interval = 1000 / o.rate;
  const published = await Promise.all(
    shows.map(async (k) => {
      await sleep((k * interval) / o.shows);
      return publishPaced(layout.publish(k), o.rate, o.seconds * 1000, k);
    }),
  );
  const perShow = Math.max(...published.map((p) => p.ok));
  const total = published.reduce((n, p) => n + p.ok, 0);
  const drain = o.drainMs ?? 15_000;
  const [w, v] = await Promise.all([pool.waitFor(total, drain, 'walls'), pool.waitFor(perShow, drain, 'viewers')]);
  const delivered = w.received + v.received;
  const { elapsed, ...cost } = measured(delivered);
  await pool.closeSubscribers();
  const expected = total * walls.connected + perShow * viewers.connected;
  const latency = merge(merge(newHistogram(), w.latency), v.latency);
  const publishFailures = published.reduce((n, p) => n + p.failed, 0);
  const connectFailures = walls.failed + viewers.failed;
  const outOfSequence = w.outOfSequence + v.outOfSequence;
  const dropped = w.dropped + v.dropped;
  return {
    target: layout.name,
    walls: walls.connected,
    viewers: viewers.connected,
    connectFailures,
    published: total,
    publishFailures,
    publisherMaxLagMs: round(Math.max(...published.map((p) => p.maxLagMs))),
    delivered,
    expected,
    deliveredPerSec: Math.round(delivered / elapsed),
    p50Ms: round(quantile(latency, 0.5) / 1000, 2),
    p99Ms: round(quantile(latency, 0.99) / 1000, 2),
    maxMs: round(latency.max / 1000, 2),
    ...cost,
    lost: expected - delivered,
    outOfSequence,
    dropped,
    zeroLoss:
      connectFailures === 0 &&
      publishFailures === 0 &&
      delivered === expected &&
      outOfSequence === 0 &&
      dropped === 0 &&
      w.complete === walls.connected &&
      v.complete === viewers.connected &&
      published.every((p) => p.ok === perShow),
    errors: [...walls.errors, ...viewers.errors, ...w.errors, ...v.errors].slice(0, 5),
  };
}

export type FloorResult = Awaited<ReturnType<typeof runFloor>>;
