import { join } from 'node:path';
import type { Config } from '../config.js';
import type { HubLog } from './event-log.js';
import { openRedisLog, type RedisEventLog } from './redis-log.js';
import { openSqliteLog, type SqliteEventLog } from './sqlite-log.js';
import { openLogChecked } from '../startup.js';

/** Where the embedded log keeps its SQLite file. */
export const sqliteLogFile = (config: Config) => join(config.HUB_DATA_DIR, 'events.db');

/** The log HUB_STORE names; `sqlite` is also handed back as such for the features that keep tables in its file. */
export async function openLog(config: Config): Promise<{ log: HubLog; sqlite?: SqliteEventLog; redis?: RedisEventLog }> {
  if (config.HUB_STORE === 'sqlite') {
    // A file that is not a database is an operator's problem to name, not a stack trace.
    const sqlite = openLogChecked(sqliteLogFile(config), openSqliteLog);
    return { log: sqlite, sqlite };
  }
  const redis = await openRedisLog({ url: config.HUB_STORE, prefix: config.HUB_REDIS_PREFIX, commandTimeoutMs: config.HUB_REDIS_TIMEOUT_MS });
  return { log: redis, redis };
}
