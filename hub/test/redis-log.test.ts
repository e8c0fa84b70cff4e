import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { openRedisLog } from '../src/log/redis-log.js';
import { logConformance } from './helpers/log-conformance.js';
import { startRedis, type RedisServer } from './helpers/redis-server.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(() => redis.destroy());

// Each test gets a keyspace of its own (a fresh prefix) on the one real redis-server.
logConformance('Redis Streams', async () => {
  const prefix = `{t${randomBytes(4).toString('hex')}}:`;
  const log = await openRedisLog({ url: redis.url, prefix });
  return {
    log,
    reopen: () => openRedisLog({ url: redis.url, prefix }),
    cleanup: () => log.close(),
  };
});
