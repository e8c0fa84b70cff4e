import { MAX_EVENT_BYTES } from '@showwire/protocol';
import type { EventLog, LogRecord } from '../log/event-log.js';
import { eventFrame } from './frames.js';
import type { Filter, Session } from './session.js';

/**
 * A replay page holds at most this many events, and aims at about this many bytes (bigger pages
 * made 20 concurrent resumes cost tens of MiB of RSS; see resume-backlog.test.ts).
 */
const PAGE_EVENTS = 500;
const PAGE_BYTES = 64 * 1024;

/**
 * Sends a joined session the history after `after`, then lets it go live. Pages are sized by
 * bytes (events range from 100 bytes to 64 KiB) and each waits for the socket to drain, so one
 * replaying client holds about one page however long its backlog is.
 *
 * Where it stops: at a short page, read after the session joined. Everything committed before
 * that read is in it; everything committed after reached the session live and is held there.
 * If the session had to drop what it held (a long replay while the show is busy) since that
 * read began, the dropped events are in the log: the replay reads on. The check and `goLive` run
 * in one synchronous step, so nothing slips between them.
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
  // The first page can't know the events' size: it takes as many as fit if all were the largest
  // allowed (their stored JSON carries a few more fields); later pages follow the sizes seen.
  let limit = Math.max(1, Math.floor(PAGE_BYTES / MAX_EVENT_BYTES));
  while (!session.closed) {
    const drops = session.drops;
    const page = await log.read({ after: cursor, shows, types, limit });
    if (session.closed) return;
    const last = page.at(-1);
    if (last) {
      cursor = last.id;
      onPage(page.length);
      await session.replay(page.map((r) => eventFrame(r.id, r.json)).join(''), page.length, last.id);
    }
    if (page.length < limit && session.drops === drops) return session.goLive();
    if (last) limit = nextLimit(page);
  }
}

/** The next page's size in events, so that it comes close to PAGE_BYTES. */
function nextLimit(page: readonly LogRecord[]): number {
  let bytes = 0;
  for (const r of page) bytes += r.json.length;
  return Math.max(1, Math.min(PAGE_EVENTS, Math.floor((PAGE_BYTES * page.length) / Math.max(1, bytes))));
}
