import type { EventInput, HubEvent } from '@showwire/protocol';

/** An event as the log keeps it: its routing columns and its JSON, serialized once. */
export interface LogRecord {
  id: string;
  show: string;
  type: string;
  /** The flat event object, as sent on SSE and in webhooks. */
  json: string;
}

/** What `append` answers for each input. */
export interface AppendedRecord extends LogRecord {
  event: HubEvent;
  /** True when an earlier event with the same `show` + `eventId` was found: nothing new was stored. */
  duplicate: boolean;
}

/** An input that the ingest route has validated and stamped with show, source and clocks. */
export type NewEvent = EventInput & { show: string; source: string; timestamp: number; receivedAt: number };

export interface ReadQuery {
  /** Exclusive lower bound; absent reads from the oldest retained event. */
  after?: string;
  /** Only these shows; absent means all. */
  shows?: readonly string[];
  /** Only these types; absent means all. */
  types?: readonly string[];
  limit: number;
}

export interface RetentionPolicy {
  maxAgeSeconds: number;
  maxPerShow: number;
}

/**
 * The durable, ordered event log. Implemented by SQLite (embedded, `sqlite-log.ts`); any other
 * implementation (DESIGN.md's Redis Streams, for many hubs) must pass the same conformance suite
 * (`test/helpers/log-conformance.ts`). The contract:
 * - `append` resolves only once the events are durable; ids are strictly increasing in the
 *   order they were accepted, across all shows.
 * - listeners registered with `onAppend` see every newly stored event exactly once, in id
 *   order, before the `append` that stored it resolves.
 */
export interface EventLog {
  append(events: NewEvent[]): Promise<AppendedRecord[]>;
  read(query: ReadQuery): Promise<LogRecord[]>;
  /** The newest id, or undefined when the log is empty. */
  lastId(): Promise<string | undefined>;
  /** True when events after `after` in any of `shows` (all when absent) were pruned by retention. */
  prunedAfter(after: string, shows?: readonly string[]): Promise<boolean>;
  /** Orders two ids of this log. */
  compare(a: string, b: string): number;
  /** True when `id` could be an id of this log. */
  isId(id: string): boolean;
  onAppend(listener: (records: AppendedRecord[]) => void): () => void;
  prune(policy: RetentionPolicy, now?: number): Promise<{ deleted: number }>;
  /** Proves the log can take a write (for /readyz). */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}
