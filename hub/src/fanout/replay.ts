import type { EventLog, LogRecord } from '../log/event-log.js';
import { eventFrame } from './frames.js';
import type { Filter, Session } from './session.js';

/** A replay page holds at most this many events, and aims at about this many bytes. */
const PAGE_EVENTS = 500;
const PAGE_BYTES = 64 * 1024;

/**
 * Sends a joined session the history after `after`, then lets it go live. Pages are sized by
 * bytes (events range from 100 bytes to a megabyte) and each waits for the socket to drain, so
 * one replaying client holds about one page however long its backlog is.
 *
 * Where it stops: at the log's newest id as read after the session joined, since everything
 * after that id reached the session live and is held there. When the session had to drop its
 * held events (a long replay while the show is busy), the newest id is read again and the
 * replay goes on to it; those events are in the log. The check and `goLive` run in one
 * synchronous step, so no event slips between them.
 */
export async function replayHistory(
  session: Session,
  log: EventLog,
  filter: Filter,
  after: string | undefined,
  onPage: (count: number) => void,
): Promise<void> {
  if (after === undefined) return session.goLive();
  const shows = filter.shows ? [...filter.shows] : undefined;
  const types = filter.types ? [...filter.types] : undefined;
  session.cursor = after;
  let cursor = after;
  let limit = 50;
  let drops = -1;
  let newest: string | undefined;
  for (;;) {
    if (session.closed) return;
    if (session.drops !== drops) {
      drops = session.drops;
      newest = await log.lastId();
      continue;
    }
    if (newest === undefined || log.compare(cursor, newest) >= 0) return session.goLive();
    const page = await log.read({ after: cursor, shows, types, limit });
    if (session.closed) return;
    const last = page.at(-1);
    if (!last) {
      // Nothing this filter wants up to the newest id; what came after is held.
      if (session.drops === drops) return session.goLive();
      continue;
    }
    cursor = last.id;
    onPage(page.length);
    limit = nextLimit(page);
    await session.replay(page.map((r) => eventFrame(r.id, r.json)).join(''), page.length, last.id);
  }
}

/** The next page's size in events, so that it comes close to PAGE_BYTES. */
function nextLimit(page: readonly LogRecord[]): number {
  let bytes = 0;
  for (const r of page) bytes += r.json.length;
  return Math.max(1, Math.min(PAGE_EVENTS, Math.floor((PAGE_BYTES * page.length) / Math.max(1, bytes))));
}
