const EPOCH_ID = /^([a-z0-9]+)-(\d+)$/;

/** Digit strings in numeric order: by length, then text (no BigInt, fine past 2^53). */
const compareDigits = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

/**
 * Hub ids are opaque strings that only grow within one log. The hub issues `<epoch>-<seq>`
 * (the epoch names its log); ids of one epoch are ordered by `seq`. Bare digits (older hubs) are
 * ordered as numbers; other shapes fall back to plain string order.
 */
export function compareIds(a: string, b: string): number {
  const ea = EPOCH_ID.exec(a);
  const eb = EPOCH_ID.exec(b);
  if (ea && eb && ea[1] === eb[1]) return compareDigits(ea[2]!, eb[2]!);
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return compareDigits(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newest of some ids, or undefined when there are none. */
export function maxId(ids: Iterable<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (id !== undefined && (best === undefined || compareIds(id, best) > 0)) best = id;
  return best;
}
