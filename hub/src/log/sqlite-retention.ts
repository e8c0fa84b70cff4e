import type Database from 'better-sqlite3';
import type { RetentionPolicy } from './event-log.js';

const SCHEMA = `
-- The highest id retention ever deleted per show, so a resume from before it can be told.
CREATE TABLE IF NOT EXISTS pruned (show TEXT PRIMARY KEY, max_deleted_id INTEGER NOT NULL);
-- Events kept per show, maintained with every commit and prune, so retention never counts by
-- scanning the table (a full scan of a million rows stalls the hub's one thread for ~100 ms).
CREATE TABLE IF NOT EXISTS show_counts (show TEXT PRIMARY KEY, events INTEGER NOT NULL);
`;

/**
 * Retention of the SQLite log: by age and by count per show. `counted` runs inside the append
 * transaction; `prune` deletes in one transaction of its own. Every statement is prepared once.
 */
export function sqliteRetention(db: Database.Database) {
  const hadCounts = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'show_counts'").get() !== undefined;
  db.exec(SCHEMA);
  // A log from before show_counts existed: count it once.
  if (!hadCounts) db.exec('INSERT INTO show_counts (show, events) SELECT show, COUNT(*) FROM events GROUP BY show');

  const add = db.prepare(
    'INSERT INTO show_counts (show, events) VALUES (?, ?) ON CONFLICT(show) DO UPDATE SET events = events + excluded.events',
  );
  const note = db.prepare(
    `INSERT INTO pruned (show, max_deleted_id) VALUES (?, ?)
     ON CONFLICT(show) DO UPDATE SET max_deleted_id = MAX(max_deleted_id, excluded.max_deleted_id)`,
  );
  // INDEXED BY: for GROUP BY the planner would otherwise walk the whole table in show order
  // (1.5 s at a million rows) instead of the old rows' range, which is usually empty.
  const oldByShow = db.prepare<[number], { show: string; maxId: number; n: number }>(
    'SELECT show, MAX(id) AS maxId, COUNT(*) AS n FROM events INDEXED BY events_received_at WHERE received_at < ? GROUP BY show',
  );
  const deleteOld = db.prepare('DELETE FROM events WHERE received_at < ?');
  const overLimit = db.prepare<[number], { show: string; events: number }>('SELECT show, events FROM show_counts WHERE events > ?');
  const edgeOf = db.prepare<[string, number], { id: number }>('SELECT id FROM events WHERE show = ? ORDER BY id DESC LIMIT 1 OFFSET ?');
  const deleteUpTo = db.prepare('DELETE FROM events WHERE show = ? AND id <= ?');

  const prune = db.transaction((policy: RetentionPolicy, now: number) => {
    let deleted = 0;
    const cutoff = now - policy.maxAgeSeconds;
    for (const row of oldByShow.all(cutoff)) {
      note.run(row.show, row.maxId);
      add.run(row.show, -row.n);
    }
    deleted += deleteOld.run(cutoff).changes;
    for (const row of overLimit.all(policy.maxPerShow)) {
      const edge = edgeOf.get(row.show, policy.maxPerShow);
      if (!edge) continue;
      note.run(row.show, edge.id);
      const n = deleteUpTo.run(row.show, edge.id).changes;
      add.run(row.show, -n);
      deleted += n;
    }
    return deleted;
  });

  return {
    /** Counts newly stored events per show; call inside the append transaction. */
    counted(shows: Iterable<string>): void {
      const perShow = new Map<string, number>();
      for (const show of shows) perShow.set(show, (perShow.get(show) ?? 0) + 1);
      for (const [show, n] of perShow) add.run(show, n);
    },
    prune: (policy: RetentionPolicy, now: number) => ({ deleted: prune(policy, now) }),
  };
}
