import type { PresenceNotice, Watcher } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import { dataFrame } from '../fanout/frames.js';
import type { Fanout } from '../fanout/fanout.js';

/** Who may appear as watching: people who supervise a show (not viewers, agents or services). */
const WATCHER_ROLES = new Set(['admin', 'staff', 'host']);

interface Entry {
  role: string;
  since: number;
  connections: number;
}

/** One person once, the longest watching first. */
export const sortWatchers = (list: Watcher[]) => list.sort((a, b) => a.since - b.since || a.sub.localeCompare(b.sub));

/**
 * This hub's watchers: staff, admin and host connections whose stream names the show (the show
 * view; a wall of every show is not "watching" one), one entry per person however many tabs they
 * have open. `changed(show)` runs when a person arrives on or leaves a show on this hub.
 */
export function createLocalWatchers(changed: (show: string) => void) {
  const shows = new Map<string, Map<string, Entry>>();

  function watchers(show: string): Watcher[] {
    const m = shows.get(show);
    if (!m) return [];
    return sortWatchers([...m].map(([sub, e]) => ({ sub, role: e.role, since: e.since })));
  }

  /** Counts a stream of `principal` on `showIds`; answers the function that uncounts it. */
  function join(showIds: Iterable<string>, principal: Principal): () => void {
    if (!WATCHER_ROLES.has(principal.role)) return () => {};
    const list = [...showIds];
    const now = Date.now() / 1000;
    for (const show of list) {
      let m = shows.get(show);
      if (!m) shows.set(show, (m = new Map<string, Entry>()));
      const e = m.get(principal.sub);
      if (e) e.connections++;
      else {
        m.set(principal.sub, { role: principal.role, since: now, connections: 1 });
        changed(show);
      }
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      for (const show of list) {
        const m = shows.get(show);
        const e = m?.get(principal.sub);
        if (!m || !e || --e.connections > 0) continue;
        m.delete(principal.sub);
        if (m.size === 0) shows.delete(show);
        changed(show);
      }
    };
  }

  return { join, watchers, shows: () => [...shows.keys()] };
}

/**
 * Sends `notice(show)` to that show's streams on the next turn of the loop: one notice for a
 * burst of arrivals, and never ahead of a just-opened stream's own first bytes (its headers and
 * retry hint are still being written). Id-less, so it never moves anyone's resume point.
 */
function noticeSender(fanout: Fanout, notice: (show: string) => PresenceNotice) {
  const due = new Set<string>();
  return (show: string) => {
    if (due.size === 0)
      setImmediate(() => {
        for (const s of due) fanout.noticeShow(s, 'presence', dataFrame(notice(s)));
        due.clear();
      });
    due.add(show);
  };
}

/** Who watches which show (this hub's streams, or with Redis every hub's): what streams join and the presence route reads. */
export interface Presence {
  /** Counts a stream's principal as watching these shows; answers its leave. */
  join: (showIds: Iterable<string>, principal: Principal) => () => void;
  /** The show's `presence` notice: its watchers now. */
  notice: (show: string) => Promise<PresenceNotice>;
  close: () => Promise<void>;
}

/**
 * Who is watching each show, on a single hub (SQLite): every change sends a `presence` notice to
 * that show's streams, never stored. With many hubs, redis-presence.ts shares the lists.
 */
export function createPresence(fanout: Fanout): Presence {
  const local = createLocalWatchers((show) => announce(show));
  const notice = (show: string): PresenceNotice => ({ type: 'presence', show, watchers: local.watchers(show) });
  const announce = noticeSender(fanout, notice);
  return { join: local.join, notice: async (show: string) => notice(show), close: async () => {} };
}
