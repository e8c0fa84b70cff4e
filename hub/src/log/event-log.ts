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
  /** How many connections of this hub the fan-out queued the event to (set by the fan-out consumer; 0 until it ran, and for a duplicate). */
  notified: number;
}

/** An input that the ingest route has validated and stamped with show, source and clocks. */
export type NewEvent = EventInput & { show: string; source: string; timestamp: number; receivedAt: number };

export interface ReadQuery {
  /** Exclusive lower bound; absent or `0` reads from the oldest retained event. */
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

/** Hears newly stored events, in id order (the hub's publish pipeline: pipeline/pipeline.ts). */
export type AppendListener = (records: AppendedRecord[]) => void;

/**
 * The durable, ordered event log: what both implementations (SQLite embedded, Redis Streams for
 * many hubs) honour, checked by one conformance suite. The contract:
 * - `append` resolves only once the events are durable; ids are strictly increasing in the
 *   order they were accepted, across all shows (and, on Redis, across all hubs).
 * - every id carries the log's `epoch` (ids.ts); `compare` orders ids of this log.
 * - listeners registered with `onAppend` see every newly stored event exactly once, in id
 *   order (on Redis: every event any hub stored, from the stream reader). SQLite runs them
 *   before the `append` that stored it resolves; Redis does not wait for its reader.
 */
export interface EventLog {
  readonly epoch: string;
  append(events: NewEvent[]): Promise<AppendedRecord[]>;
  read(query: ReadQuery): Promise<LogRecord[]>;
  /** The newest id, or undefined when the log is empty. */
  lastId(): Promise<string | undefined>;
  compare(a: string, b: string): number;
  /** True when `id` could be an id of this log (or `0`); another epoch's id is an id too, just not this log's. */
  isId(id: string): boolean;
  onAppend(listener: AppendListener): () => void;
  close(): Promise<void>;
}

/** Optional capability: retention by age and count per show, and telling resume points it pruned past. */
export interface RetainingLog {
  prune(policy: RetentionPolicy, now?: number): Promise<{ deleted: number }>;
  /** True when events after `after` in any of `shows` (all when absent) were pruned by retention. */
  prunedAfter(after: string, shows?: readonly string[]): Promise<boolean>;
}

/** Optional capability: readiness for /readyz. */
export interface CheckedLog {
  /** Proves the log can take a write now; throws (a StoreUnavailableError, when it can tell) otherwise. */
  checkWritable(): Promise<void>;
}

/**
 * Runs atomically with the events it is given (no duplicates): inside the SQLite transaction, so
 * rows a feature writes beside them (the webhook outbox) commit or roll back with the events.
 * Throwing fails the append.
 */
export type CommitHook = (records: AppendedRecord[]) => void;

/** Optional capability: a transactional hook (the webhook outbox reaches the store through it). */
export interface TransactionalLog {
  onCommit(hook: CommitHook): () => void;
}

/** What the hub runs on: the core log with the capabilities both implementations have. */
export type HubLog = EventLog & RetainingLog & CheckedLog;

/** The store behind the log cannot be reached: the hub answers 503 naming it, never a 2xx. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`${store} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
