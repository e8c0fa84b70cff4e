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

/**
 * Who is watching each show: staff, admin and host connections whose stream names the show (the
 * show view; a wall of every show is not "watching" one). One entry per person however many tabs
 * they have open. Every change sends an id-less `presence` notice to that show's streams, so it
 * never moves anyone's resume point and is never stored.
 */
export function createPresence(fanout: Fanout) {
  const shows = new Map<string, Map<string, Entry>>();

  function watchers(show: string): Watcher[] {
    const m = shows.get(show);
    if (!m) return [];
    return [...m].map(([sub, e]) => ({ sub, role: e.role, since: e.since })).sort((a, b) => a.since - b.since || a.sub.localeCompare(b.sub));
  }

  const notice = (show: string): PresenceNotice => ({ type: 'presence', show, watchers: watchers(show) });
  // Announced on the next turn of the loop: one notice for a burst of arrivals, and never ahead of
  // a just-opened stream's own first bytes (its headers and retry hint are still being written).
  const due = new Set<string>();
  const announce = (show: string) => {
    if (due.size === 0) setImmediate(flush);
    due.add(show);
  };
  function flush() {
    for (const show of due) fanout.noticeShow(show, 'presence', dataFrame(notice(show)));
    due.clear();
  }

  /** Counts a stream of `principal` on `showIds`; answers the function that uncounts it. */
  function join(showIds: Iterable<string>, principal: Principal): () => void {
    if (!WATCHER_ROLES.has(principal.role)) return () => {};
    const list = [...showIds];
    const now = Date.now() / 1000;
    for (const show of list) {
      let m = shows.get(show);
      if (!m) shows.set(show, (m = new Map()));
      const e = m.get(principal.sub);
      if (e) e.connections++;
      else {
        m.set(principal.sub, { role: principal.role, since: now, connections: 1 });
        announce(show);
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
        announce(show);
      }
    };
  }

  return { join, notice };
}

export type Presence = ReturnType<typeof createPresence>;
