import type { LogRecord } from '../log/event-log.js';
import { eventFrame, WireChunk } from './frames.js';
import type { CloseReason, Filter, Session } from './session.js';

/** Connections with the same filter receive the same bytes, so they share one group. */
interface Group {
  key: string;
  filter: Filter;
  sessions: Set<Session>;
  /** Indexes of the batch being published that this group wants. */
  due: number[];
}

export interface FanoutStats {
  connections: number;
  groups: number;
}

export const filterKey = (f: Filter) =>
  `${f.shows ? [...f.shows].sort().join(',') : '*'}|${f.types ? [...f.types].sort().join(',') : '*'}`;

/**
 * Routes stored events to the SSE sessions whose filter matches. Groups are indexed by show, so
 * an event touches only the connections that want it; each frame is encoded once per event and
 * each group's share of a batch is joined once and written to each of its connections in one write.
 */
export function createFanout() {
  const groups = new Map<string, Group>();
  const byShow = new Map<string, Set<Group>>();
  const allShows = new Set<Group>();
  const sessions = new Set<Session>();

  /**
   * Joins a session to the group of its filter. The group owns the filter, so connections with
   * the same filter share one object however many there are.
   */
  function add(session: Session, filter: Filter): void {
    const key = filterKey(filter);
    let group = groups.get(key);
    if (!group) {
      group = { key, filter, sessions: new Set(), due: [] };
      groups.set(key, group);
      if (filter.shows === null) allShows.add(group);
      else for (const show of filter.shows) getOrAdd(byShow, show).add(group);
    }
    group.sessions.add(session);
    sessions.add(session);
    const g = group;
    session.onClose(() => remove(g, session));
  }

  function remove(group: Group, session: Session): void {
    sessions.delete(session);
    group.sessions.delete(session);
    if (group.sessions.size > 0) return;
    groups.delete(group.key);
    allShows.delete(group);
    for (const show of group.filter.shows ?? []) {
      const set = byShow.get(show);
      set?.delete(group);
      if (set?.size === 0) byShow.delete(show);
    }
  }

  /** Sends a batch of stored events; answers, per event, how many connections it was queued to. */
  function publish(records: readonly LogRecord[]): number[] {
    const notified = new Array<number>(records.length).fill(0);
    if (sessions.size === 0) return notified;
    const frames: string[] = new Array(records.length);
    const touched = new Set<Group>();
    const consider = (g: Group, i: number) => {
      const r = records[i]!;
      if (g.filter.types !== null && !g.filter.types.has(r.type)) return;
      frames[i] ??= eventFrame(r.id, r.json);
      g.due.push(i);
      touched.add(g);
      notified[i]! += g.sessions.size;
    };
    for (let i = 0; i < records.length; i++) {
      for (const g of allShows) consider(g, i);
      const showGroups = byShow.get(records[i]!.show);
      if (showGroups) for (const g of showGroups) consider(g, i);
    }
    for (const g of touched) {
      const items = g.due.map((i) => ({ id: records[i]!.id, frame: frames[i]! }));
      g.due = [];
      const chunk = new WireChunk(items.length === 1 ? items[0]!.frame : items.map((x) => x.frame).join(''));
      // A session that closes during its own write leaves the set; deleting the entry being
      // visited is safe in a Set iteration, so no copy of the set per batch.
      for (const s of g.sessions) s.deliver(chunk, items);
    }
    return notified;
  }

  /** Frames with no id (heartbeats) to every connection. */
  function broadcast(frame: string): void {
    const chunk = new WireChunk(frame);
    for (const s of sessions) s.notice(chunk);
  }

  /** An id-less frame of `type` to the connections that want that show and type (presence notices). */
  function noticeShow(show: string, type: string, frame: string): void {
    const chunk = new WireChunk(frame);
    const send = (g: Group) => {
      if (g.filter.types !== null && !g.filter.types.has(type)) return;
      for (const s of g.sessions) s.notice(chunk);
    };
    for (const g of allShows) send(g);
    for (const g of byShow.get(show) ?? []) send(g);
  }

  function closeAll(reason: CloseReason, final?: string): void {
    for (const s of sessions) s.close(reason, final);
  }

  const stats = (): FanoutStats => ({ connections: sessions.size, groups: groups.size });

  return { add, publish, broadcast, noticeShow, closeAll, stats };
}

export type Fanout = ReturnType<typeof createFanout>;

function getOrAdd<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
