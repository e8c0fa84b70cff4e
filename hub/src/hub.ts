import type { FastifyBaseLogger } from 'fastify';
import type { EventInput } from '@showwire/protocol';
import type { Principal } from './auth/access.js';
import { createAlertEngine } from './alerts/alert-engine.js';
import type { Config } from './config.js';
import { createFanout } from './fanout/fanout.js';
import { heartbeatFrame } from './fanout/frames.js';
import type { AppendedRecord, NewEvent } from './log/event-log.js';
import { openLog, sqliteLogFile } from './log/open-log.js';
import { createStorageGuard } from './log/storage-guard.js';
import { createMetrics } from './metrics.js';
import { createPresence } from './presence/presence.js';
import { createRedisPresence } from './presence/redis-presence.js';
import { createShowRegistry } from './shows/show-registry.js';
import { createRedisWebhooks } from './webhooks/redis-webhooks.js';
import { guardLogHistory, prepareDataDir } from './startup.js';
import { createWebhooks } from './webhooks/webhook-service.js';

export interface PublishResult {
  ids: string[];
  clients_notified: number;
  records: AppendedRecord[];
}

/**
 * The hub's services, composed: log → fan-out (and the show registry, and whatever else
 * subscribes to appends). Routes reach these through `app.hub`.
 */
export async function createHub(config: Config, logger: FastifyBaseLogger) {
  prepareDataDir(config.HUB_DATA_DIR);
  const { log, sqlite, redis } = await openLog(config);
  // Disk checks guard the SQLite file, and its marker tells an emptied file from a new one; with
  // Redis the log's own errors say when it can't write.
  const storage = sqlite
    ? createStorageGuard({ dataDir: config.HUB_DATA_DIR, logFile: sqliteLogFile(config), minFreeBytes: config.HUB_MIN_FREE_MB * 1024 * 1024 })
    : undefined;
  let history: ReturnType<typeof guardLogHistory> | undefined;
  try {
    history = sqlite && guardLogHistory(sqlite.db, config.HUB_DATA_DIR);
  } catch (error) {
    await log.close();
    throw error;
  }
  const metrics = createMetrics(() => fanout.stats().connections);
  const fanout = createFanout({
    log,
    limits: {
      maxBufferedBytes: config.HUB_SSE_BUFFER_BYTES,
      maxBufferedEvents: config.HUB_SSE_BUFFER_EVENTS,
      replayStallMs: config.HUB_SSE_REPLAY_STALL_MS,
    },
    logger,
    writeDelayMs: config.HUB_WRITE_DELAY_MS,
    onReplayed: (n) => metrics.replayed.inc(n),
  });
  const shows = createShowRegistry();
  // With Redis, presence is shared by every hub (a hash per show, changes announced on pub/sub).
  const presence = redis
    ? createRedisPresence({ fanout, redis: redis.redis, prefix: redis.keys.prefix, ttlMs: config.HUB_PRESENCE_TTL_MS, logger })
    : createPresence(fanout);
  // The webhook outbox lives in the log's store and is written with the events: in the SQLite
  // log's commit transaction, or by the Redis log's append script.
  const webhooks = sqlite
    ? createWebhooks({ log: sqlite, config, logger, registry: metrics.registry })
    : createRedisWebhooks({ log: redis!, config, logger, registry: metrics.registry });
  const alerts = createAlertEngine({ config, logger, webhookEndpoints: () => webhooks.enabledEndpoints() });
  await shows.load(log, alerts.load);

  // The answer (connections reached per record) comes back on the appended records as `notified`.
  log.onAppend((records) => {
    const counts = fanout.publish(records);
    metrics.eventsIn.inc(records.length);
    history?.update();
    metrics.eventsOut.inc(counts.reduce((a, b) => a + b, 0));
    shows.apply(records);
    alerts.onAppend(records);
    return counts;
  });

  const heartbeat = setInterval(() => fanout.broadcast(heartbeatFrame()), config.HUB_HEARTBEAT_MS);
  const retention = { maxAgeSeconds: config.HUB_RETENTION_HOURS * 3600, maxPerShow: config.HUB_RETENTION_PER_SHOW };
  const prune = () =>
    log.prune(retention).then(
      ({ deleted }) => deleted && logger.info({ deleted }, 'retention pruned events'),
      (error: unknown) => logger.error({ err: error }, 'retention prune failed'),
    );
  await prune();
  const pruner = setInterval(prune, 60_000);
  heartbeat.unref();
  pruner.unref();

  /** Stamps validated inputs with their show, source and clocks, and stores them (durable on return). */
  async function publish(inputs: Array<EventInput & { show: string }>, principal: Principal): Promise<PublishResult> {
    const now = Date.now() / 1000;
    const source = `${principal.role}:${principal.sub}`;
    const events: NewEvent[] = inputs.map((e) => ({ ...e, source, timestamp: e.timestamp ?? now, receivedAt: now }));
    // Every publisher (ingest, products, LiveKit webhooks, …) goes through here: no 2xx for an
    // event the storage can't keep (storage-guard.ts).
    storage?.assertWritable();
    let records: AppendedRecord[];
    try {
      records = await log.append(events);
    } catch (error) {
      throw storage?.failed(error) ?? error;
    }
    storage?.succeeded();
    storage?.assertStillThere();
    const dupes = records.filter((r) => r.duplicate).length;
    if (dupes) metrics.duplicates.inc(dupes);
    return {
      ids: records.map((r) => r.id),
      clients_notified: records.reduce((n, r) => n + r.notified, 0),
      records,
    };
  }

  let closing = false;
  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    clearInterval(heartbeat);
    clearInterval(pruner);
    alerts.close();
    await webhooks.close();
    await presence.close();
    history?.update(true);
    await log.close();
  }

  webhooks.start(publish);
  alerts.start(publish);

  return { config, log, storage, fanout, shows, metrics, webhooks, alerts, presence, publish, close, isClosing: () => closing };
}

export type Hub = Awaited<ReturnType<typeof createHub>>;
