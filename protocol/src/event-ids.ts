/**
 * Hub event ids are `<epoch>-<seq>`: the epoch names one log (a SQLite file, a Redis keyspace),
 * `seq` counts up from 1 in acceptance order. Clients treat ids as opaque, but the hub, the
 * dashboard (overlap of history and stream) and tests need their order; this is the one rule.
 */
const EPOCH_ID = /^([a-z0-9]+)-(\d+)$/;

/** Digit strings in numeric order: by length, then text (no BigInt, fine past 2^53). */
const compareDigits = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders two ids: `0` (the resume point "from the oldest") first; ids of one epoch by `seq`; bare
 * digits (ids of hubs before epochs) as numbers; anything else (ids of different epochs) by text,
 * which is arbitrary but total.
 */
export function compareEventIds(a: string, b: string): number {
  if (a === '0' || b === '0') return a === b ? 0 : a === '0' ? -1 : 1;
  const ea = EPOCH_ID.exec(a);
  const eb = EPOCH_ID.exec(b);
  if (ea && eb && ea[1] === eb[1]) return compareDigits(ea[2]!, eb[2]!);
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return compareDigits(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}
