import { badRequest } from '../errors.js';
import type { HubLog } from '../log/event-log.js';
import { classifyResumePoint } from '../log/ids.js';

/** A resume asked for by a client: the id, and where it came from (named in a 400). */
export interface ResumeRequest {
  id: string;
  where: 'Last-Event-ID' | 'lastEventId';
}

/** Why a client is told that part of the history it asked for will not come. */
type TruncationReason = 'retention' | 'unknown_resume_point' | 'epoch_changed';

export interface ResumePoint {
  /** Replay events after this id; undefined: no replay, live events from the moment of joining. */
  after: string | undefined;
  /** Sent to the client (as `history_truncated`) before anything else. */
  truncated?: TruncationReason;
}

/**
 * The one place that decides where a resume starts: a malformed id is a 400 (thrown before the
 * response head goes out); an id this log never issued means "live from now, and say so"; an id
 * older than retention replays what is left, and says what is missing; an id of another log's epoch
 * is another history altogether: live from now, and say so.
 */
export async function resumePoint(log: HubLog, asked: ResumeRequest, shows: readonly string[] | undefined): Promise<ResumePoint> {
  const from = asked.id;
  if (!log.isId(from)) throw badRequest([{ path: asked.where, message: `"${from.slice(0, 64)}" is not an event id of this hub` }]);
  // An id of another log (a wiped data dir, another Redis): its history is not this one's.
  if (classifyResumePoint(log.epoch, from).kind === 'other_epoch') return { after: undefined, truncated: 'epoch_changed' };
  // The only use of `lastId` in the stream path: the replay itself stops at a short page.
  const newest = await log.lastId();
  if (newest === undefined || log.compare(from, newest) > 0) {
    // A point this log never issued (another hub's, or from before a reset). `0` is "from the
    // start" on an empty log, not a point that was lost.
    return { after: undefined, ...(log.compare(from, '0') > 0 && { truncated: 'unknown_resume_point' as const }) };
  }
  return { after: from, ...((await log.prunedAfter(from, shows)) && { truncated: 'retention' as const }) };
}
