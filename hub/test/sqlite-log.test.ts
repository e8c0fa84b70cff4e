import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteLog } from '../src/log/sqlite-log.js';
import { tempDir } from './helpers/hub.js';
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
