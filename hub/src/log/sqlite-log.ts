import Database from 'better-sqlite3';
import type { HubEvent } from '@showwire/protocol';
import type { AppendedRecord, EventLog, LogRecord, NewEvent, ReadQuery } from './event-log.js';
import { sqliteRetention } from './sqlite-retention.js';

interface Pending {
  events: NewEvent[];
  resolve: (records: AppendedRecord[]) => void;
  reject: (error: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  show TEXT NOT NULL,
  type TEXT NOT NULL,
  event_id TEXT,
  received_at REAL NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_show_id ON events (show, id);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);
CREATE UNIQUE INDEX IF NOT EXISTS events_show_event_id ON events (show, event_id) WHERE event_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at REAL NOT NULL);
`;

/** Puts the hub's fields first, so the JSON reads the same everywhere. */
export function serializeEvent(id: string, e: NewEvent): { event: HubEvent; json: string } {
  const { type, show, timestamp, receivedAt, source, ...rest } = e;
  const event = { id, show, type, timestamp, receivedAt, source, ...rest } as HubEvent;
  return { event, json: JSON.stringify(event) };
}

/**
 * Runs inside the group-commit transaction with the events it stores (no duplicates), so rows a
 * feature writes beside them (the webhook outbox) commit or roll back with the events. Throwing
 * fails the append.
 */
export type CommitHook = (records: AppendedRecord[]) => void;

/** The SQLite log, plus what features storing rows in the same file need (kept off `EventLog`). */
export interface SqliteEventLog extends EventLog {
  readonly db: Database.Database;
  onCommit(hook: CommitHook): () => void;
}

/**
 * The embedded log: one SQLite file in WAL mode with `synchronous=FULL`, so a commit is on disk
 * before the 2xx. Group commit: every append that arrives in the same tick joins one transaction,
 * which keeps fsyncs per second, not per event.
 */
export function openSqliteLog(file: string): SqliteEventLog {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const retention = sqliteRetention(db);

  const insert = db.prepare('INSERT INTO events (id, show, type, event_id, received_at, json) VALUES (?, ?, ?, ?, ?, ?)');
  // AUTOINCREMENT's high-water mark: ids are never reused, even after retention deleted the newest.
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
  const byEventId = db.prepare<[string, string], LogRecord>(
    'SELECT CAST(id AS TEXT) AS id, show, type, json FROM events WHERE show = ? AND event_id = ?',
  );
  const lastIdStmt = db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM events');
  const prunedAny = db.prepare<[number], 1>('SELECT 1 FROM pruned WHERE max_deleted_id > ? LIMIT 1');
  const prunedInShows = db.prepare<[number, string], 1>(
    'SELECT 1 FROM pruned WHERE max_deleted_id > ? AND show IN (SELECT value FROM json_each(?)) LIMIT 1',
  );
  const probe = db.prepare('INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)');
  const listeners = new Set<(records: AppendedRecord[]) => void>();
  const commitHooks = new Set<CommitHook>();
  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;

  const commit = db.transaction((batches: Pending[]) => {
    const out: AppendedRecord[][] = [];
    // Duplicates inside the same transaction are not yet visible to `byEventId` through the cache.
    const seen = new Map<string, AppendedRecord>();
    // The transaction is IMMEDIATE (write lock first), so no other writer can move the sequence
    // between this read and the inserts: ids are assigned up front and the JSON, which carries
    // its id, is written once.
    let next = (sequence.get()?.seq ?? 0) + 1;
    for (const batch of batches) {
      const records: AppendedRecord[] = [];
      for (const e of batch.events) {
        const key = e.eventId !== undefined ? `${e.show}\u0000${e.eventId}` : undefined;
        const earlier = key !== undefined ? (seen.get(key) ?? byEventId.get(e.show, e.eventId!)) : undefined;
        if (earlier) {
          records.push({ ...earlier, event: JSON.parse(earlier.json) as HubEvent, duplicate: true });
          continue;
        }
        const id = String(next++);
        const { event, json } = serializeEvent(id, e);
        insert.run(Number(id), e.show, e.type, e.eventId ?? null, e.receivedAt, json);
        const record: AppendedRecord = { id, show: e.show, type: e.type, json, event, duplicate: false };
        if (key !== undefined) seen.set(key, record);
        records.push(record);
      }
      out.push(records);
    }
    // What was newly stored, in id order: the commit hooks and then the listeners see this list.
    const fresh = out.flat().filter((r) => !r.duplicate);
    retention.counted(fresh.map((r) => r.show));
    if (fresh.length) for (const hook of commitHooks) hook(fresh);
    return { out, fresh };
  });

  function flush() {
    scheduled = false;
    const batches = queue;
    queue = [];
    if (batches.length === 0) return;
    let committed: { out: AppendedRecord[][]; fresh: AppendedRecord[] };
    try {
      committed = commit.immediate(batches);
    } catch (error) {
      for (const b of batches) b.reject(error);
      return;
    }
    const { out, fresh } = committed;
    if (fresh.length) for (const l of listeners) l(fresh);
    batches.forEach((b, i) => b.resolve(out[i]!));
  }

  // `events.id`, never bare `id`: the result column `CAST(id AS TEXT) AS id` would shadow it and
  // ORDER BY would sort ids as text ("10" before "9").
  function readStatement(q: ReadQuery) {
    const where = ['events.id > ?'];
    const params: unknown[] = [q.after === undefined ? 0 : Number(q.after)];
    if (q.shows) {
      where.push('show IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(q.shows));
    }
    if (q.types) {
      where.push('type IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(q.types));
    }
    params.push(q.limit);
    return { sql: `SELECT CAST(id AS TEXT) AS id, show, type, json FROM events WHERE ${where.join(' AND ')} ORDER BY events.id LIMIT ?`, params };
  }
  const statements = new Map<string, Database.Statement<unknown[], LogRecord>>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare<unknown[], LogRecord>(sql)));
    return s;
  };

  const log: SqliteEventLog = {
    db,
    onCommit(hook) {
      commitHooks.add(hook);
      return () => commitHooks.delete(hook);
    },
    append(events) {
      if (closed) return Promise.reject(new Error('log is closed'));
      return new Promise((resolve, reject) => {
        queue.push({ events, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async read(q) {
      const { sql, params } = readStatement(q);
      return prepared(sql).all(...params);
    },
    async lastId() {
      const row = lastIdStmt.get();
      return row?.id == null ? undefined : String(row.id);
    },
    async prunedAfter(after, shows) {
      const row = shows ? prunedInShows.get(Number(after), JSON.stringify(shows)) : prunedAny.get(Number(after));
      return row !== undefined;
    },
    compare: (a, b) => Number(a) - Number(b),
    isId: (id) => /^\d{1,15}$/.test(id),
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async prune(policy, now = Date.now() / 1000) {
      return retention.prune(policy, now);
    },
    async checkWritable() {
      probe.run(Date.now() / 1000);
    },
    async close() {
      if (closed) return;
      closed = true;
      flush();
      db.close();
    },
  };
  return log;
}
