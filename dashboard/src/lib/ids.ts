/**
 * Hub ids are opaque strings that only grow. The SQLite log issues digits; comparing by length,
 * then text, orders them without BigInt and keeps working past 2^53. Other shapes fall back to
 * plain string order, which is still right for any fixed-width scheme.
 */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newest of some ids, or undefined when there are none. */
export function maxId(ids: Iterable<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (id !== undefined && (best === undefined || compareIds(id, best) > 0)) best = id;
  return best;
}
