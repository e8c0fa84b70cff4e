import { reduceShowMany, type HubEvent, type ShowListItem, type ShowState } from '@showwire/protocol';
import type { EventLog, LogRecord } from '../log/event-log.js';
import { eventOf, newerThanLast } from '../log/fold.js';

/** The hub keeps a tail of each show's transcript and actions; full history is in the log. */
const LIMITS = { transcriptLimit: 50, actionLimit: 50, viewerHistoryLimit: 360 };

/** What `GET /api/shows` lists of a show (protocol's `showListItem`): the state without its long arrays. */
export function listItem(state: ShowState): ShowListItem {
  const { transcript, actions: _a, viewerHistory: _v, products: _p, ...rest } = state;
  const lastTranscript = transcript.at(-1);
  return { ...rest, ...(lastTranscript && { lastTranscript }), productCount: state.productOrder.length };
}

/** Every show's live state, folded with the protocol's `reduceShow` from the log and then from each append. */
export interface ShowRegistry {
  /** Folds stored records (a pipeline consumer); records at or before the last folded are skipped. */
  apply(records: readonly LogRecord[]): void;
  /** Folds the whole retained log; `also` sees each page too (one pass for every consumer). */
  load(log: EventLog, also?: (page: LogRecord[]) => void): Promise<void>;
  get(show: string): ShowState | undefined;
  list(): ShowState[];
}

export function createShowRegistry(): ShowRegistry {
  const states = new Map<string, ShowState>();
  const fresh = newerThanLast();

  function apply(records: readonly LogRecord[]): void {
    const byShow = new Map<string, HubEvent[]>();
    for (const r of records) {
      if (!fresh(r.id)) continue;
      const event = eventOf(r);
      let list = byShow.get(r.show);
      if (!list) byShow.set(r.show, (list = []));
      list.push(event);
    }
    for (const [show, events] of byShow) states.set(show, reduceShowMany(states.get(show), events, LIMITS));
  }

  /** Folds the whole retained log, page by page; `also` sees each page too (one pass for every consumer). */
  async function load(log: EventLog, also?: (page: LogRecord[]) => void): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await log.read({ after, limit: 5000 });
      if (page.length === 0) break;
      apply(page);
      also?.(page);
      after = page.at(-1)!.id;
    }
  }

  return {
    apply,
    load,
    get: (show: string) => states.get(show),
    list: () => [...states.values()],
  };
}

