import type { HubEvent } from '@showwire/protocol';
import type { LogRecord } from './event-log.js';
import { compareIds } from './ids.js';

/** A record's event: an appended record carries it parsed, one read from the log only as JSON. */
export const eventOf = (r: LogRecord): HubEvent => ('event' in r ? (r as LogRecord & { event: HubEvent }).event : (JSON.parse(r.json) as HubEvent));

/**
 * For a consumer that folds both the hub's start-up pass over the log and the appends the
 * pipeline hands it (records come in id order): true for a record newer than the last one passed,
 * false for one at or before it. With many hubs, the appends heard while loading repeat what the
 * load read.
 */
export function newerThanLast(): (id: string) => boolean {
  let last: string | undefined;
  return (id) => {
    if (last !== undefined && compareIds(id, last) <= 0) return false;
    last = id;
    return true;
  };
}
