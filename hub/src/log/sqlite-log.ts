import Database from 'better-sqlite3';
import type { HubEvent } from '@showwire/protocol';
import type { AppendedRecord, CommitHook, HubLog, LogRecord, NewEvent, ReadQuery, TransactionalLog } from './event-log.js';
import { classifyResumePoint, compareIds, formatId, isEpoch, newEpoch } from './ids.js';
import { createListeners } from './listeners.js';
import { sqliteRetention } from './sqlite-retention.js';
import { createWalSync } from './wal-sync.js';

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
-- The log's epoch (ids.ts), made with the file: a wiped data dir gets a new one.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Puts the hub's fields first, so the JSON reads the same everywhere. */
function serializeEvent(id: string, e: NewEvent): { event: HubEvent; json: string } {
  const { type, show, timestamp, receivedAt, source, ...rest } = e;
  const event = { id, show, type, timestamp, receivedAt, source, ...rest } as HubEvent;
  return { event, json: JSON.stringify(event) };
}

/** The SQLite log, plus the file itself for features that keep their tables in it (the webhook outbox). */
export interface SqliteEventLog extends HubLog, TransactionalLog {
  readonly db: Database.Database;
  /**
   * For readers of rows written by commit hooks (the webhook outbox): runs `run` once the append
   * being synced is durable and answers true, or answers false when everything committed is
   * durable already (read now).
   */
  afterDurable(run: () => void): boolean;
  /**
   * Runs a write without SQLite's fsync (`synchronous=NORMAL`), for rows whose loss at a power cut
   * costs only a repeat: the webhook worker's settling (a lost settle is one more delivery with the
   * same webhook-id, which at-least-once allows). A crash of the process loses nothing (the WAL
   * frames are written); the next append's sync or a checkpoint puts them on disk.
   */
  unsynced<T>(write: () => T): T;
}

/** The epoch stored in the file, made on first open. */
function epochOf(db: Database.Database): string {
  const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'epoch'").get();
  if (row && isEpoch(row.value)) return row.value;
  const epoch = newEpoch();
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?)").run(epoch);
  return epoch;
}

/**
 * The embedded log: one SQLite file in WAL mode, every append on disk before the 2xx. Group
 * commit: the appends that arrived while the previous commit was being synced join one
 * transaction. The transaction runs on the main thread without its fsync, which runs in the thread
 * pool (wal-sync.ts, where the durability is argued): the event loop keeps parsing and answering
 * meanwhile, and the appends are answered, and the listeners told, when the sync returns. Every
 * other write to the file keeps `synchronous=FULL` (endpoints, settings), except what `unsynced`
 * runs (the webhook outbox's settling, whose fsync per batch cost more than the delivery itself).
 */
export function openSqliteLog(file: string): SqliteEventLog {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const epoch = epochOf(db);
  // Appends commit without SQLite's own sync; the WAL is synced off the loop before they count.
  const appendSync = db.prepare('PRAGMA synchronous = NORMAL');
  const otherSync = db.prepare('PRAGMA synchronous = FULL');
  const wal = createWalSync(file);
  const retention = sqliteRetention(db);
  const toId = (seq: number) => formatId(epoch, seq);
  /** The sequence number to read after: 0 for `0`, absent, or another epoch's id (whose history is not here). */
  const afterSeq = (after: string | undefined) => {
    const p = after === undefined ? undefined : classifyResumePoint(epoch, after);
    return p?.kind === 'after' ? p.seq : 0;
  };
  const fromRow = (r: { seq: number; show: string; type: string; json: string }): LogRecord => ({ id: toId(r.seq), show: r.show, type: r.type, json: r.json });

  const insert = db.prepare('INSERT INTO events (id, show, type, event_id, received_at, json) VALUES (?, ?, ?, ?, ?, ?)');
  // AUTOINCREMENT's high-water mark: ids are never reused, even after retention deleted the newest.
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
  const byEventId = db.prepare<[string, string], { seq: number; show: string; type: string; json: string }>(
    'SELECT id AS seq, show, type, json FROM events WHERE show = ? AND event_id = ?',
  );
  const lastIdStmt = db.prepare<[number], { id: number | null }>('SELECT MAX(id) AS id FROM events WHERE id <= ?');
  const prunedAny = db.prepare<[number], 1>('SELECT 1 FROM pruned WHERE max_deleted_id > ? LIMIT 1');
  const prunedInShows = db.prepare<[number, string], 1>(
    'SELECT 1 FROM pruned WHERE max_deleted_id > ? AND show IN (SELECT value FROM json_each(?)) LIMIT 1',
  );
  const probe = db.prepare('INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)');
  const listeners = createListeners();
  const commitHooks = new Set<CommitHook>();
  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;
  /** The highest sequence number known to be on disk: reads stop there. */
  let durableSeq = sequence.get()?.seq ?? 0;
  /** Set once a sync failed: what was committed may or may not be on disk, so nothing more is promised. */
  let failed: Error | undefined;

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
        let earlier: LogRecord | undefined = key !== undefined ? seen.get(key) : undefined;
        if (!earlier && key !== undefined) {
          const row = byEventId.get(e.show, e.eventId!);
          if (row) earlier = fromRow(row);
        }
        if (earlier) {
          records.push({ id: earlier.id, show: earlier.show, type: earlier.type, json: earlier.json, event: JSON.parse(earlier.json) as HubEvent, duplicate: true, notified: 0 });
          continue;
        }
        const seq = next++;
        const id = toId(seq);
        const { event, json } = serializeEvent(id, e);
        insert.run(seq, e.show, e.type, e.eventId ?? null, e.receivedAt, json);
        const record: AppendedRecord = { id, show: e.show, type: e.type, json, event, duplicate: false, notified: 0 };
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

  /** Commits what waits as one transaction, then syncs it off the loop (wal-sync.ts). */
  function flush() {
    scheduled = false;
    // Closing commits what is left itself, once the sync under way is over.
    if (closed) return;
    // A sync is running: what waits is committed when it returns (the next group).
    if (wal.running) return;
    const taken = commitQueue(appendSync);
    if (!taken) return;
    const { batches, committed } = taken;
    const seq = sequence.get()?.seq ?? durableSeq;
    wal.start(
      (error) => {
        if (error) {
          // fsync failing leaves the file's state unknown (the page cache may have dropped the
          // pages): nothing more is acknowledged; the hub answers errors until restarted.
          failed = error;
          return batches.forEach((b) => b.reject(error));
        }
        durableSeq = seq;
        settle(batches, committed);
      },
      flush,
    );
  }

  /** The old way, for closing: commit with SQLite's own sync and answer at once. */
  function flushSynced() {
    const taken = commitQueue(otherSync);
    if (!taken) return;
    const { batches, committed } = taken;
    durableSeq = sequence.get()?.seq ?? durableSeq;
    settle(batches, committed);
  }

  /**
   * Takes every waiting batch and commits them in one transaction under `sync`; answers them with
   * what was committed, or undefined when there was nothing to commit or it failed (the batches
   * were rejected: after an fsync failure, or with the commit's error).
   */
  function commitQueue(sync: Database.Statement) {
    const batches = queue;
    queue = [];
    if (batches.length === 0) return undefined;
    if (failed) {
      for (const b of batches) b.reject(failed);
      return undefined;
    }
    try {
      sync.run();
      return { batches, committed: commit.immediate(batches) };
    } catch (error) {
      for (const b of batches) b.reject(error);
      return undefined;
    } finally {
      otherSync.run();
    }
  }

  function settle(batches: Pending[], { out, fresh }: { out: AppendedRecord[][]; fresh: AppendedRecord[] }) {
    if (fresh.length) listeners.emit(fresh);
    batches.forEach((b, i) => b.resolve(out[i]!));
  }

  function readStatement(q: ReadQuery) {
    // Not past the last synced id: an append whose sync runs is seen by no one yet.
    const where = ['events.id > ?', 'events.id <= ?'];
    const params: unknown[] = [afterSeq(q.after), durableSeq];
    if (q.shows) {
      where.push('show IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(q.shows));
    }
    if (q.types) {
      where.push('type IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(q.types));
    }
    params.push(q.limit);
    return { sql: `SELECT id AS seq, show, type, json FROM events WHERE ${where.join(' AND ')} ORDER BY events.id LIMIT ?`, params };
  }
  type Row = { seq: number; show: string; type: string; json: string };
  const statements = new Map<string, Database.Statement<unknown[], Row>>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare<unknown[], Row>(sql)));
    return s;
  };

  const log: SqliteEventLog = {
    db,
    epoch,
    afterDurable: (run) => wal.afterSync(run),
    unsynced<T>(write: () => T): T {
      appendSync.run();
      try {
        return write();
      } finally {
        otherSync.run();
      }
    },
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
      return prepared(sql).all(...params).map(fromRow);
    },
    async lastId() {
      const row = lastIdStmt.get(durableSeq);
      return row?.id == null ? undefined : toId(row.id);
    },
    async prunedAfter(after, shows) {
      // Another epoch's resume point: none of its history is here.
      if (classifyResumePoint(epoch, after).kind === 'other_epoch') return true;
      const seq = afterSeq(after);
      const row = shows ? prunedInShows.get(seq, JSON.stringify(shows)) : prunedAny.get(seq);
      return row !== undefined;
    },
    compare: compareIds,
    isId: (id) => classifyResumePoint(epoch, id).kind !== 'invalid',
    onAppend: (listener) => listeners.add(listener),
    async prune(policy, now = Date.now() / 1000) {
      return retention.prune(policy, now);
    },
    async checkWritable() {
      probe.run(Date.now() / 1000);
    },
    async close() {
      if (closed) return;
      closed = true;
      // The sync under way answers its appends; what still waits is committed the old way.
      await wal.idle();
      flushSynced();
      wal.close();
      db.close();
    },
  };
  return log;
}
