/**
 * Latency histogram in µs with log buckets 1 % wide (1 µs … ~2 min): recording is one array
 * increment, merging workers' histograms is adding arrays, percentiles are within 1 %.
 */
const GROWTH = Math.log(1.01);
const BUCKETS = 1900;

export interface Histogram {
  counts: Uint32Array;
  n: number;
  max: number;
}

export const newHistogram = (): Histogram => ({ counts: new Uint32Array(BUCKETS), n: 0, max: 0 });

export function record(h: Histogram, us: number): void {
  const i = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / GROWTH));
  h.counts[i]!++;
  h.n++;
  if (us > h.max) h.max = us;
}

export function merge(into: Histogram, from: Histogram): Histogram {
  for (let i = 0; i < BUCKETS; i++) into.counts[i]! += from.counts[i]!;
  into.n += from.n;
  into.max = Math.max(into.max, from.max);
  return into;
}

/** The value at quantile `q` (0…1), in µs; NaN when empty. */
export function quantile(h: Histogram, q: number): number {
  if (h.n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * h.n));
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += h.counts[i]!;
    if (seen >= rank) return Math.min(Math.exp(i * GROWTH), h.max);
  }
  return h.max;
}
