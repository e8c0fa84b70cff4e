import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/** A row of the index: the event's routing fields and its words. */
export interface IndexRow {
  id: string;
  show: string;
  type: string;
  role: 'user' | 'agent' | null;
  receivedAt: number;
  text: string;
}

export interface StoreQuery {
  match: string;
  /** Only these shows; null means all. */
  shows: readonly string[] | null;
  types: readonly string[] | null;
  role?: 'user' | 'agent';
  from?: number;
  to?: number;
  limit: number;
}

export interface StoreHit {
  id: string;
  show: string;
  type: string;
  role: 'user' | 'agent' | null;
  receivedAt: number;
  rank: number;
  snippet: string;
}

/** Marks around matched words in `snippet()`: control characters no event text keeps. */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';

// `entries` holds the rows (unique by event id, so feeding an event twice is harmless);
// `entries_fts` indexes their text (external content: the words are stored once) and triggers
// keep the two in step. Porter stemming: "sizes" finds "size".
const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  show TEXT NOT NULL,
  type TEXT NOT NULL,
  role TEXT,
  received_at REAL NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_received_at ON entries (received_at);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(
  text, content='entries', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'
);
CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
  INSERT INTO entries_fts (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN
  INSERT INTO entries_fts (entries_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * The search index's own SQLite file. It is derived from the log, so it is opened for speed, not
 * durability (`synchronous=NORMAL`): what a crash loses is indexed again from the log at start.
 * An index made for another log (its epoch differs: a wiped data dir, another Redis) is dropped.
 */
export function openSearchStore(file: string, epoch: string) {
  let db = open(file);
  if (meta(db, 'epoch') !== epoch) {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    db = open(file);
    db.prepare("INSERT INTO meta (key, value) VALUES ('epoch', ?)").run(epoch);
  }

  const insert = db.prepare<[string, string, string, string | null, number, string]>(
    'INSERT OR IGNORE INTO entries (id, show, type, role, received_at, text) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setThrough = db.prepare<[string]>("INSERT OR REPLACE INTO meta (key, value) VALUES ('through', ?)");
  const pruneOlder = db.prepare<[number]>('DELETE FROM entries WHERE received_at < ?');
  const write = db.transaction((rows: IndexRow[], through: string | undefined) => {
    for (const r of rows) insert.run(r.id, r.show, r.type, r.role, r.receivedAt, r.text);
    if (through !== undefined) setThrough.run(through);
  });
  const queries = new Map<string, Database.Statement>();

  return {
    /** The newest log id up to which every event is indexed (absent: none yet). */
    through: () => meta(db, 'through'),
    /** Stores the rows, and moves `through` when given, in one transaction. */
    write: (rows: IndexRow[], through?: string): void => void write(rows, through),
    /** Drops what the log's age retention dropped. */
    pruneBefore: (receivedAt: number): number => pruneOlder.run(receivedAt).changes,
    count: () => (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n,

    /**
     * Best first (bm25), newest first among equals. Ranked in an inner query that computes no
     * snippet and joins the rows only when a filter needs them: SQLite evaluates every result
     * column of every match before it sorts, so a snippet (and the join) for each of a common
     * word's 300,000 matches cost more than the ranking. The outer query makes the snippets of
     * the `limit` rows kept. The limit is written into the SQL, not bound: with a bound LIMIT
     * SQLite sorted that inner query some 80 ms slower (one statement per limit, 100 at most).
     * A common word over 1M events: 206 → 124 ms.
     */
    search(q: StoreQuery): StoreHit[] {
      const where = ['entries_fts MATCH @match'];
      if (q.shows) where.push('e.show IN (SELECT value FROM json_each(@shows))');
      if (q.types) where.push('e.type IN (SELECT value FROM json_each(@types))');
      if (q.role) where.push('e.role = @role');
      if (q.from !== undefined) where.push('e.received_at >= @from');
      if (q.to !== undefined) where.push('e.received_at <= @to');
      const join = where.length > 1 ? 'JOIN entries e ON e.seq = entries_fts.rowid' : '';
      const limit = Math.min(1000, Math.max(1, Math.trunc(q.limit)));
      const sql = `SELECT e.id, e.show, e.type, e.role, e.received_at AS receivedAt, best.rank,
          snippet(entries_fts, 0, char(2), char(3), '…', 24) AS snippet
        FROM (SELECT entries_fts.rowid AS seq, bm25(entries_fts) AS rank FROM entries_fts ${join}
          WHERE ${where.join(' AND ')} ORDER BY rank, entries_fts.rowid DESC LIMIT ${limit}) best
        JOIN entries_fts ON entries_fts.rowid = best.seq JOIN entries e ON e.seq = best.seq
        WHERE entries_fts MATCH @match ORDER BY best.rank, best.seq DESC`;
      let stmt = queries.get(sql);
      if (!stmt) queries.set(sql, (stmt = db.prepare(sql)));
      const params: Record<string, unknown> = { match: q.match };
      if (q.shows) params.shows = JSON.stringify(q.shows);
      if (q.types) params.types = JSON.stringify(q.types);
      if (q.role) params.role = q.role;
      if (q.from !== undefined) params.from = q.from;
      if (q.to !== undefined) params.to = q.to;
      return stmt.all(params) as StoreHit[];
    },
    close: (): void => void db.close(),
  };
}

function open(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

const meta = (db: Database.Database, key: string) => db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value;
