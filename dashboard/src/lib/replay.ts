import { reduceShowMany, type HubEvent, type ShowState } from '@showwire/protocol';

/** How many events each checkpoint covers: scrubbing back costs at most this many reductions. */
const CHECKPOINT_EVERY = 500;

export const REPLAY_SPEEDS = [1, 4, 16] as const;

/** How many events had been accepted by `at` (hub clock, epoch seconds): events are in id order, so receivedAt only grows. */
export function countAt(events: readonly HubEvent[], at: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.receivedAt <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Moments worth jumping to: alerts and products, each landing just after its own event. */
export interface Marker {
  index: number;
  at: number;
  kind: 'alert' | 'product';
  label: string;
}

export function markersOf(events: readonly HubEvent[]): Marker[] {
  const out: Marker[] = [];
  events.forEach((e, index) => {
    // Custom events may share these types' names, so each field is read as optional.
    const x = e as HubEvent & { severity?: string; rule?: string; product?: { name?: string }; productId?: string };
    if (e.type === 'alert_raised') out.push({ index, at: e.receivedAt, kind: 'alert', label: `${x.severity ?? ''} ${x.rule ?? 'alert'}`.trim() });
    else if (e.type === 'product_created') out.push({ index, at: e.receivedAt, kind: 'product', label: `+ ${x.product?.name ?? 'product'}` });
    else if (e.type === 'product_added_to_show') out.push({ index, at: e.receivedAt, kind: 'product', label: `▶ ${x.productId}` });
  });
  return out;
}

/**
 * The show's state after its first `count` events, by the same `reduceShow` as live, from the
 * nearest checkpoint at or before `count` (kept as it goes), so scrubbing anywhere stays cheap.
 */
export function createReplayer(events: readonly HubEvent[]) {
  const checkpoints = new Map<number, ShowState>();
  return function stateAt(count: number): ShowState | undefined {
    if (count <= 0) return undefined;
    const base = Math.floor(count / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
    let from = base;
    while (from > 0 && !checkpoints.has(from)) from -= CHECKPOINT_EVERY;
    let state = checkpoints.get(from);
    for (let k = from; k < base; k += CHECKPOINT_EVERY) {
      state = reduceShowMany(state, events.slice(k, k + CHECKPOINT_EVERY));
      checkpoints.set(k + CHECKPOINT_EVERY, state);
    }
    return count > base ? reduceShowMany(state, events.slice(base, count)) : state;
  };
}
