import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { openRedisLog } from '../src/log/redis-log.js';
import { openSqliteLog } from '../src/log/sqlite-log.js';
import { openWebhookStore } from '../src/webhooks/open-store.js';
import { startRedis, tempDir, type RedisServer } from '@showwire/testkit';
import { webhookStoreConformance } from './helpers/webhook-store-conformance.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(() => redis.destroy());

webhookStoreConformance('SQLite', async () => {
  const dir = tempDir();
  const log = openSqliteLog(join(dir, 'events.db'));
  const { store } = openWebhookStore({ sqlite: log });
  return {
    log,
    store,
    cleanup: async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// Each test gets a keyspace of its own (a fresh prefix) on the one real redis-server.
webhookStoreConformance('Redis', async () => {
  const log = await openRedisLog({ url: redis.url, prefix: `{w${randomBytes(4).toString('hex')}}:` });
  const { store } = openWebhookStore({ redis: log });
  return { log, store, cleanup: () => log.close() };
});
