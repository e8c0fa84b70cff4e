import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { EventInput } from '@showwire/protocol';
import type { Principal } from './auth/access.js';
import { createAlertEngine } from './alerts/alert-engine.js';
import type { Config } from './config.js';
import { createFanout } from './fanout/fanout.js';
import { heartbeatFrame } from './fanout/frames.js';
import type { AppendedRecord, EventLog, NewEvent } from './log/event-log.js';
import { openSqliteLog } from './log/sqlite-log.js';
import { createMetrics } from './metrics.js';
import { createPresence } from './presence/presence.js';
import { createShowRegistry } from './shows/show-registry.js';
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
  mkdirSync(config.HUB_DATA_DIR, { recursive: true });
  const sqlite = openSqliteLog(join(config.HUB_DATA_DIR, 'events.db'));
  const log: EventLog = sqlite;
  const fanout = createFanout();
  const shows = createShowRegistry();
  const presence = createPresence(fanout);
  const metrics = createMetrics(() => fanout.stats().connections);
  // The webhook outbox shares the log's SQLite file and commit transaction.
  const webhooks = createWebhooks({ log: sqlite, config, logger, registry: metrics.registry });
  const alerts = createAlertEngine({ config, logger, webhookEndpoints: () => webhooks.endpoints.enabled() });
  await shows.load(log, alerts.load);

  // How many connections each record reached, for the ingest answer's `clients_notified`.
  const notified = new WeakMap<AppendedRecord, number>();
  log.onAppend((records) => {
    const counts = fanout.publish(records);
    let out = 0;
    records.forEach((r, i) => {
      notified.set(r, counts[i]!);
      out += counts[i]!;
    });
    metrics.eventsIn.inc(records.length);
    metrics.eventsOut.inc(out);
    shows.apply(records);
    alerts.onAppend(records);
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
    const records = await log.append(events);
    const dupes = records.filter((r) => r.duplicate).length;
    if (dupes) metrics.duplicates.inc(dupes);
    return {
      ids: records.map((r) => r.id),
      clients_notified: records.reduce((n, r) => n + (notified.get(r) ?? 0), 0),
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
    await log.close();
  }

  webhooks.start(publish);
  alerts.start(publish);

  return { config, log, fanout, shows, metrics, webhooks, alerts, presence, publish, close, isClosing: () => closing };
}

export type Hub = Awaited<ReturnType<typeof createHub>>;
