import type { RedisEventLog } from '../log/redis-log.js';
import type { SqliteEventLog } from '../log/sqlite-log.js';
import { createRedisWebhookStore } from './redis-store.js';
import { createSqliteWebhookStore } from './sqlite-store.js';
import type { WebhookStore } from './store.js';

/**
 * The webhook store in the opened log's own store, its outbox written with the events (the
 * SQLite log's commit transaction, or the Redis log's append script). `maxSleepMs` is how long
 * the worker may sleep: with many hubs, what another hub changed is noticed within it.
 */
export function openWebhookStore(log: { sqlite: SqliteEventLog } | { redis: RedisEventLog }): {
  store: WebhookStore;
  maxSleepMs: number;
  /** SQLite only: defers the worker's reads while an append's sync runs (its rows are not durable yet). */
  afterDurable?: (run: () => void) => boolean;
} {
  if ('sqlite' in log) return { store: createSqliteWebhookStore(log.sqlite), maxSleepMs: 60_000, afterDurable: (run) => log.sqlite.afterDurable(run) };
  return { store: createRedisWebhookStore(log.redis), maxSleepMs: 5_000 };
}
