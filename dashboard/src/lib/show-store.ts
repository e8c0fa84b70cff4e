import { reduceShowMany, type HubEvent, type ReduceOptions, type ShowState } from '@showwire/protocol';
import { compareIds } from './ids.js';

export type Schedule = (flush: () => void) => void;

/** One flush per animation frame in the browser; elsewhere (tests) on the next macrotask. */
export const frameSchedule: Schedule =
  typeof requestAnimationFrame === 'function' ? (f) => void requestAnimationFrame(() => f()) : (f) => void setTimeout(f, 0);

export interface ShowStore {
  /** The current states; a new Map object after every change, so React sees the change. */
  // Function-typed properties: useSyncExternalStore calls them detached from the store.
  getSnapshot: () => ReadonlyMap<string, ShowState>;
  subscribe: (listener: () => void) => () => void;
  /** Replace one show's state (its history was just loaded). */
  set(state: ShowState): void;
  /** Replace everything (the wall's snapshot). */
  reset(states: ShowState[]): void;
  /** Queue a live event; queued events are applied together on the next frame. */
  push(event: HubEvent): void;
  /** Apply what is queued now. */
  flush(): void;
}

/**
 * The page's show states, folded with the protocol's `reduceShowMany` (the hub's own reducer).
 * Events are queued and applied once per frame, per show in one call: at 50 events/s that is
 * one render per frame, not one per event. An event at or before a show's `lastEventId` is
 * dropped, so history and stream may overlap without any line showing twice.
 */
export function createShowStore(options: { reduce?: ReduceOptions; schedule?: Schedule } = {}): ShowStore {
  const schedule = options.schedule ?? frameSchedule;
  let states = new Map<string, ShowState>();
  let queue: HubEvent[] = [];
  let scheduled = false;
  const listeners = new Set<() => void>();
  const emit = () => {
    for (const l of listeners) l();
  };

  function flush() {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    const byShow = new Map<string, HubEvent[]>();
    for (const e of batch) {
      let list = byShow.get(e.show);
      if (!list) byShow.set(e.show, (list = []));
      list.push(e);
    }
    const next = new Map(states);
    let changed = false;
    for (const [show, events] of byShow) {
      const prev = next.get(show);
      let last = prev?.lastEventId;
      const fresh = events.filter((e) => {
        if (last !== undefined && compareIds(e.id, last) <= 0) return false;
        last = e.id;
        return true;
      });
      if (fresh.length === 0) continue;
      next.set(show, reduceShowMany(prev, fresh, options.reduce));
      changed = true;
    }
    if (changed) {
      states = next;
      emit();
    }
  }

  return {
    getSnapshot: () => states,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(state) {
      states = new Map(states).set(state.show, state);
      emit();
    },
    reset(list) {
      states = new Map(list.map((s) => [s.show, s]));
      emit();
    },
    push(event) {
      queue.push(event);
      if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}
