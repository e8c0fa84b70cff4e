import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { HttpError } from '../errors.js';
import type { HubLog, LogRecord } from '../log/event-log.js';
import { dataFrame, eventFrame, retryFrame, WireChunk } from './frames.js';
import { replayHistory } from './replay.js';
import { resumePoint, type ResumeRequest } from './resume-point.js';
import { Session, type Filter, type SessionLimits } from './session.js';
import { createWriteBatcher } from './write-delay.js';

/** On shutdown, streams end asking clients to come back this soon (to another hub, or this one restarted). */
const SHUTDOWN_RETRY_MS = 500;

export interface FanoutOptions {
  log: HubLog;
  limits: SessionLimits;
  logger: FastifyBaseLogger;
  /** HUB_WRITE_DELAY_MS: hold live frames up to this long and write each connection's in one write; 0 writes at once. */
  writeDelayMs?: number;
  /** Counts events sent from the log (resume). */
  onReplayed?: (count: number) => void;
}

interface Subscription {
  filter: Filter;
  /** Where the client asked to resume from, if it did. */
  resume?: ResumeRequest;
  /** Writes the response head: called only once the request is known to be good. */
  open: () => ServerResponse;
  /** Runs on the new session before anything is written to it (close hooks, logging). */
  opened?: (session: Session) => void;
}

/** Connections with the same filter receive the same bytes, so they share one group. */
interface Group {
  key: string;
  filter: Filter;
  sessions: Set<Session>;
  /** Indexes of the batch being published that this group wants. */
  due: number[];
}

interface FanoutStats {
  connections: number;
  groups: number;
}

const filterKey = (f: Filter) =>
  `${f.shows ? [...f.shows].sort().join(',') : '*'}|${f.types ? [...f.types].sort().join(',') : '*'}`;

/** This hub's SSE streams: what streams subscribe to, and what the pipeline's fan-out consumer writes to. */
export interface Fanout {
  /** Opens a stream: replays from its resume point, then delivers live with no gap and no duplicate. */
  subscribe: (sub: Subscription) => Promise<void>;
  /** Queues stored records to the streams that want them; answers how many streams each reached. */
  publish: (records: readonly LogRecord[]) => number[];
  /** How many of this hub's connections want these records now. */
  reach: (records: readonly LogRecord[]) => number;
  broadcast: (frame: string) => void;
  noticeShow: (show: string, type: string, frame: string) => void;
  close: () => void;
  stats: () => FanoutStats;
}

/**
 * Routes stored events to the SSE sessions whose filter matches. Groups are indexed by show, so
 * an event touches only the connections that want it; each frame is encoded once per event and
 * each group's share of a batch is joined once and written to each of its connections in one write.
 */
export function createFanout(options: FanoutOptions): Fanout {
  const { log, limits, logger } = options;
  let closed = false;
  const groups = new Map<string, Group>();
  const byShow = new Map<string, Set<Group>>();
  const allShows = new Set<Group>();
  const sessions = new Set<Session>();
  const batcher = options.writeDelayMs ? createWriteBatcher(options.writeDelayMs) : undefined;

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
    const frames = new Array<string>(records.length);
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

  /** How many of this hub's connections want these records now (queued to or not). */
  function reach(records: readonly LogRecord[]): number {
    let n = 0;
    const wants = (g: Group, r: LogRecord) => (g.filter.types === null || g.filter.types.has(r.type) ? g.sessions.size : 0);
    for (const r of records) {
      for (const g of allShows) n += wants(g, r);
      for (const g of byShow.get(r.show) ?? []) n += wants(g, r);
    }
    return n;
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

  /**
   * Opens a stream the way Mercure's transport does: decide the resume point (a bad one is a 400
   * before any byte is written), write the head, join, replay the history paced by the socket,
   * then go live. Resolves once the session is live (or closed).
   */
  async function subscribe(sub: Subscription): Promise<void> {
    if (closed) throw shuttingDown();
    const point = sub.resume ? await resumePoint(log, sub.resume, sub.filter.shows ? [...sub.filter.shows] : undefined) : { after: undefined };
    if (closed) throw shuttingDown();
    const session = new Session(sub.open(), limits, (a, b) => log.compare(a, b), batcher);
    sub.opened?.(session);
    // Joined before the replay reads the log: what is published from now on is held, not missed.
    add(session, sub.filter);
    if (point.truncated) {
      session.notice(dataFrame({ type: 'history_truncated', reason: point.truncated, lastEventId: sub.resume!.id, timestamp: Date.now() / 1000 }));
    }
    try {
      await replayHistory(session, log, sub.filter, point.after, (n) => options.onReplayed?.(n));
    } catch (error) {
      logger.error({ err: error }, 'replay failed');
      session.close('error');
    }
  }

  /** Ends every stream with a `retry:` hint and refuses new ones: the hub is going away. */
  function close(): void {
    closed = true;
    const final = retryFrame(SHUTDOWN_RETRY_MS);
    for (const s of sessions) s.close('shutdown', final);
    batcher?.close();
  }

  const stats = (): FanoutStats => ({ connections: sessions.size, groups: groups.size });

  return { subscribe, publish, reach, broadcast, noticeShow, close, stats };
}

const shuttingDown = () => new HttpError('unavailable', 'the hub is shutting down', undefined, { 'Retry-After': '1' });

function getOrAdd<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
