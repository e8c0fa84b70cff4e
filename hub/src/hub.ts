import type { FastifyBaseLogger } from 'fastify';
import type { ShowSummaryBody } from '@showwire/protocol';
import { createAlertEngine, type AlertEngine } from './alerts/alert-engine.js';
import type { Config } from './config.js';
import { createFanout, type Fanout } from './fanout/fanout.js';
import { heartbeatFrame } from './fanout/frames.js';
import type { HubLog } from './log/event-log.js';
import { openLog, sqliteLogFile } from './log/open-log.js';
import { createStorageGuard, type StorageGuard } from './log/storage-guard.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPresence, type Presence } from './presence/presence.js';
import { createRedisPresence } from './presence/redis-presence.js';
import { createReservationBook, type ReservationBook } from './commerce/reservation-book.js';
import { createSummaries } from './commerce/summaries.js';
import type { LiveKitServices } from './livekit/client.js';
import type { Consumer } from './pipeline/consumer.js';
import { createPipeline, type Publish } from './pipeline/pipeline.js';
import { createLiveKitRelay } from './relay/livekit-relay.js';
import { createRecordingCatalogue, type RecordingCatalogue } from './recordings/catalogue.js';
import { createRecordingStorage, type RecordingStorage } from './recordings/storage.js';
import { createSearchIndexer, type SearchIndexer } from './search/search-indexer.js';
import { createStoredSettings, type StoredSettings } from './settings/stored-settings.js';
import { createShowRegistry, type ShowRegistry } from './shows/show-registry.js';
import { openWebhookStore } from './webhooks/open-store.js';
import { guardLogHistory, prepareDataDir } from './startup.js';
import { createWebhooks, type WebhookService } from './webhooks/webhook-service.js';

export type { PublishResult } from './pipeline/pipeline.js';


/**
 * What the features (Fastify plugins) reach through `app.hub`: the one way to write
 * (`publish`), the log and fan-out to read, and the state the pipeline's consumers fold.
 */
export interface Hub {
  readonly config: Config;
  readonly log: HubLog;
  /** Disk checks of the SQLite file; none on Redis. */
  readonly storage: StorageGuard | undefined;
  readonly fanout: Fanout;
  readonly shows: ShowRegistry;
  readonly reservations: ReservationBook;
  readonly metrics: Metrics;
  /** Webhook forwarding, on whichever store the log is (one port, one worker). */
  readonly webhooks: WebhookService;
  readonly alerts: AlertEngine;
  readonly presence: Presence;
  /** The search index (a derived, rebuildable FTS5 file of this hub's own). */
  readonly search: SearchIndexer;
  /** Recordings announced in the log, and where their files are kept (this disk or S3). */
  readonly recordings: RecordingCatalogue;
  readonly recordingStorage: RecordingStorage;
  /** Settings stored by PUT /api/config, over the environment's. */
  readonly settings: StoredSettings;
  /** Every write, from every route and producer: policy, stamp, append, consumers. */
  readonly publish: Publish;
  /** Resolves once this hub's consumers heard everything it appended (pipeline.ts). */
  caughtUp(): Promise<void>;
  summaryOf(show: string, now?: number): ShowSummaryBody | undefined;
  close(): Promise<void>;
  isClosing(): boolean;
}

/**
 * The hub's services, composed: every write goes through one publish pipeline (policy, stamp,
 * append, then the consumers declared below, in order). Routes reach these through `app.hub`.
 */
export async function createHub(config: Config, logger: FastifyBaseLogger, livekit: () => LiveKitServices): Promise<Hub> {
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
  // Settings stored by PUT /api/config, applied over the environment's before anything reads them.
  const settings = await createStoredSettings(config, { redis: redis && { redis: redis.redis, prefix: redis.keys.prefix }, logger });
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
  const reservations = createReservationBook(config.HUB_RESERVATION_MINUTES);
  const summaries = createSummaries({ shows, reservations });
  // With Redis, presence is shared by every hub (a hash per show, changes announced on pub/sub).
  const presence = redis
    ? createRedisPresence({ fanout, redis: redis.redis, prefix: redis.keys.prefix, ttlMs: config.HUB_PRESENCE_TTL_MS, logger })
    : createPresence(fanout);
  // The webhook outbox lives in the log's store and is written with the events: in the SQLite
  // log's commit transaction, or by the Redis log's append script.
  const webhooks = createWebhooks({ ...openWebhookStore(sqlite ? { sqlite } : { redis: redis! }), config, logger, registry: metrics.registry });
  // Producers that publish on their own (the alert timer, webhooks' notices) reach the pipeline
  // through this, once it exists; none of them runs before createHub returns.
  const publish: Publish = (inputs, principal) => pipeline.publish(inputs, principal);
  const alerts = createAlertEngine({ config, logger, webhookEndpoints: () => webhooks.enabledEndpoints(), publish });
  const relay = createLiveKitRelay({ config, livekit, registry: metrics.registry, logger });
  // One pass over the retained log for every consumer that folds it (the registry reads, the
  // alert rules, the reservation book and the recordings catalogue fold each page); then the
  // pipeline hears the rest.
  const recordings = createRecordingCatalogue();
  await shows.load(log, (page) => {
    alerts.load(page);
    reservations.apply(page);
    recordings.apply(page);
  });
  const recordingStorage = await createRecordingStorage(config, logger);
  const search = createSearchIndexer({
    dataDir: config.HUB_DATA_DIR, log, logger, flushMs: config.HUB_SEARCH_FLUSH_MS, retentionSeconds: config.HUB_RETENTION_HOURS * 3600,
  });

  /**
   * What every stored batch goes through, in this order. The registry and the reservation book
   * first (answers built from them, the summary included, see the batch); then what derives
   * events from them, the relay into LiveKit rooms, the SSE fan-out and the counts. A new
   * consumer is one more line here.
   */
  const consumers: Consumer[] = [
    { name: 'show registry', apply: (records) => shows.apply(records) },
    { name: 'reservations', apply: (records) => reservations.apply(records) },
    { name: 'recordings', apply: (records) => recordings.apply(records) },
    summaries.consumer,
    alerts.consumer,
    // Queues only: a worker thread owns the index and writes it in batches, off the hot path.
    { name: 'search index', apply: (records) => search.apply(records) },
    ...(relay ? [relay.consumer] : []),
    {
      name: 'fan-out',
      apply(records) {
        const counts = fanout.publish(records);
        records.forEach((r, i) => (r.notified = counts[i]!));
        metrics.eventsOut.inc(counts.reduce((a, b) => a + b, 0));
      },
    },
    // The outbox rows were written with the events (the store's append hook); this wakes the worker.
    { name: 'webhook outbox', apply: () => webhooks.appended() },
    {
      name: 'counts and history marker',
      apply(records) {
        metrics.eventsIn.inc(records.length);
        // The SQLite file's marker of how much history it holds (startup.ts tells an emptied file by it).
        history?.update();
      },
    },
  ];
  const pipeline = createPipeline({ log, storage, logger, consumers, reached: fanout.reach, onDuplicates: (n) => metrics.duplicates.inc(n) });

  const heartbeat = setInterval(() => fanout.broadcast(heartbeatFrame()), config.HUB_HEARTBEAT_MS);
  const retention = { maxAgeSeconds: config.HUB_RETENTION_HOURS * 3600, maxPerShow: config.HUB_RETENTION_PER_SHOW };
  const prune = () =>
    log.prune(retention).then(
      ({ deleted }) => deleted && logger.info({ deleted }, 'retention pruned events'),
      (error: unknown) => logger.error({ err: error }, 'retention prune failed'),
    );
  await prune();
  const pruner = setInterval(() => void prune(), 60_000);
  heartbeat.unref();
  pruner.unref();

  let closing = false;
  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    clearInterval(heartbeat);
    clearInterval(pruner);
    alerts.close();
    relay?.close();
    await webhooks.close();
    await presence.close();
    await search.close();
    recordingStorage.close();
    await settings.close();
    history?.update(true);
    await log.close();
  }

  webhooks.start(publish);
  alerts.start();
  search.start();

  return {
    config, log, storage, fanout, shows, reservations, summaryOf: summaries.summaryOf, metrics, webhooks, alerts, presence,
    search, recordings, recordingStorage, settings, publish, caughtUp: pipeline.caughtUp, close, isClosing: () => closing,
  };
}

