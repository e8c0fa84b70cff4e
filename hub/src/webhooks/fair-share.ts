/** One endpoint as the scheduler sees it at a pump. */
export interface Claim {
  id: string;
  /** Requests in flight now. */
  inflight: number;
  /** The most it may have in flight now (per-endpoint concurrency, adaptive limit, breaker). */
  capacity: number;
  /** Deliveries due now that are not in flight. */
  due: number;
}

/**
 * Shares the global pool of `total` in-flight requests between endpoints, so that no set of
 * endpoints can starve another:
 * - every endpoint is guaranteed `floor(total / endpoints)` slots (at least 1, at most its
 *   capacity), held for it even while it has nothing to send, so a healthy endpoint's next event
 *   goes out at once however many others hang;
 * - beyond its guarantee an endpoint may borrow free slots only while what stays free still
 *   covers every other endpoint's unused guarantee. What is held for idle endpoints (nothing in
 *   flight, nothing due) is capped at a quarter of the pool, so many idle endpoints don't leave
 *   a busy one with a single slot;
 * - slots are handed out one per endpoint per round, starting at `start` (rotated by the caller),
 *   so no endpoint is always first.
 * Answers how many new requests each endpoint may start now.
 */
export function shareSlots(claims: readonly Claim[], total: number, inflightTotal: number, start = 0): Map<string, number> {
  const grant = new Map<string, number>();
  const n = claims.length;
  if (n === 0) return grant;
  const guarantee = Math.max(1, Math.floor(total / n));
  // Unused guarantee per endpoint (what it may still claim without borrowing).
  const unused = claims.map((c) => Math.max(0, Math.min(guarantee, c.capacity) - c.inflight));
  const idle = (c: Claim) => c.inflight === 0 && c.due === 0;
  const idleReserve = Math.min(
    claims.reduce((sum, c, i) => sum + (idle(c) ? unused[i]! : 0), 0),
    Math.max(guarantee, Math.floor(total / 4)),
  );
  // Held for active endpoints; idle ones never claim in this round, so theirs stays fixed.
  let reserved = claims.reduce((sum, c, i) => sum + (idle(c) ? 0 : unused[i]!), 0) + idleReserve;
  let free = total - inflightTotal;
  const wants = claims.map((c) => Math.max(0, Math.min(c.capacity - c.inflight, c.due)));
  let progress = true;
  while (free > 0 && progress) {
    progress = false;
    for (let k = 0; k < n && free > 0; k++) {
      const i = (start + k) % n;
      if (wants[i]! <= 0) continue;
      if (unused[i]! > 0) {
        unused[i]!--;
        reserved--;
      } else if (free - 1 < reserved) {
        continue; // borrowing would eat into another endpoint's guarantee
      }
      wants[i]!--;
      free--;
      grant.set(claims[i]!.id, (grant.get(claims[i]!.id) ?? 0) + 1);
      progress = true;
    }
  }
  return grant;
}
