import { resolve } from 'node:path';
import type { HubEvent, RecordingFile } from '@showwire/protocol';
import type { Config } from '../config.js';
import type { LogRecord } from '../log/event-log.js';
import { eventOf, newerThanLast } from '../log/fold.js';

/** Where live sessions record: HUB_RECORDINGS_DIR, or HUB_DATA_DIR/recordings. */
export const recordingsDir = (config: Pick<Config, 'HUB_DATA_DIR' | 'HUB_RECORDINGS_DIR'>) => resolve(config.HUB_RECORDINGS_DIR ?? resolve(config.HUB_DATA_DIR, 'recordings'));

export interface Recording {
  show: string;
  eventId: string;
  sessionId: string | null;
  receivedAt: number;
  durationSeconds: number | null;
  files: RecordingFile[];
}

/** Every recording announced in the log: a pipeline consumer, and what the recordings routes list. */
export interface RecordingCatalogue {
  readonly name: string;
  /**
   * Folds `recording_ready` events: a pipeline consumer, and the hub's one start-up pass over the
   * log (show-registry.ts). Records at or before the last folded are skipped: with many hubs, the
   * appends heard while loading may repeat what the load read.
   */
  apply(records: readonly LogRecord[]): void;
  /** A show's recordings, newest first, announced after `since` (epoch seconds). */
  list: (show: string, since?: number) => Recording[];
  file: (id: string) => { recording: Recording; file: RecordingFile } | undefined;
}

type ReadyEvent = HubEvent & { sessionId?: string; durationSeconds?: number; files?: RecordingFile[] };

/**
 * Every recording any hub announced, from the `recording_ready` events of the log (so with
 * Redis every hub knows every recording): one consumer of appended records, loaded at start.
 */
export function createRecordingCatalogue(): RecordingCatalogue {
  const byShow = new Map<string, Recording[]>();
  const byFile = new Map<string, { recording: Recording; file: RecordingFile }>();
  const fresh = newerThanLast();

  function add(e: ReadyEvent): void {
    if (!e.files?.length) return;
    const recording: Recording = { show: e.show, eventId: e.id, sessionId: e.sessionId ?? null, receivedAt: e.receivedAt, durationSeconds: e.durationSeconds ?? null, files: e.files };
    byShow.set(e.show, [...(byShow.get(e.show) ?? []), recording]);
    for (const file of e.files) byFile.set(file.id, { recording, file });
  }

  return {
    name: 'recordings',
    apply(records: readonly LogRecord[]): void {
      for (const r of records) {
        if (fresh(r.id) && r.type === 'recording_ready') add(eventOf(r) as ReadyEvent);
      }
    },
    list: (show: string, since = 0) => (byShow.get(show) ?? []).filter((r) => r.receivedAt >= since).reverse(),
    file: (id: string) => byFile.get(id),
  };
}
