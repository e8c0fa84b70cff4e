import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openSqliteLog } from '../src/log/sqlite-log.js';
import { tempDir } from '@showwire/testkit';
import { logConformance } from './helpers/log-conformance.js';

logConformance('SQLite', async () => {
  const dir = tempDir();
  const file = join(dir, 'events.db');
  const log = openSqliteLog(file);
  return {
    log,
    reopen: async () => openSqliteLog(file),
    cleanup: async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite log files from before show_counts', () => {
  it('counts an existing log once on open, so retention by count still prunes it', async () => {
    const dir = tempDir();
    const file = join(dir, 'events.db');
    try {
      const log = openSqliteLog(file);
      const now = Date.now() / 1000;
      await log.append(Array.from({ length: 150 }, (_, n) => ({ type: 'x', show: 'old', source: 'agent:t', timestamp: now, receivedAt: now, n })));
      await log.close();
      const raw = new Database(file);
      raw.exec('DROP TABLE show_counts');
      raw.close();
      const reopened = openSqliteLog(file);
      assert.deepEqual(await reopened.prune({ maxAgeSeconds: 3600, maxPerShow: 100 }), { deleted: 50 });
      const left = await reopened.read({ shows: ['old'], limit: 1000 });
      assert.deepEqual(left.map((r) => JSON.parse(r.json).n), Array.from({ length: 100 }, (_, i) => i + 50));
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
