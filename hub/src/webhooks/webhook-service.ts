import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import { DEFAULT_SHOW, WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TEST, type EventInput } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { Config } from '../config.js';
import { HttpError, notFound } from '../errors.js';
import type { SqliteEventLog } from '../log/sqlite-log.js';
import { createEndpointStore, type Endpoint, type EndpointPatch } from './endpoint-store.js';
import { createWebhookMetrics } from './metrics.js';
import { createOutbox } from './outbox.js';
import { createSender } from './sender.js';
import { assertPublicUrl, RefusedUrlError } from './ssrf-guard.js';
import { generateSecret } from './signer.js';
import { createDeliveryWorker, type DisableReason } from './worker.js';

type Publish = (events: Array<EventInput & { show: string }>, principal: Principal) => Promise<unknown>;

/** Who the hub's own webhook events come from (`source: "admin:webhooks"`). */
const WEBHOOKS_PRINCIPAL: Principal = { sub: 'webhooks', role: 'admin', shows: null };

/**
 * Webhook forwarding, composed: endpoints and the outbox live in the log's SQLite file, and
 * every stored event is matched against the endpoints inside the log's commit transaction, so
 * an acknowledged event always has its delivery rows.
 */
export function createWebhooks(opts: { log: SqliteEventLog; config: Config; logger: FastifyBaseLogger; registry: Registry }) {
  const { log, config, logger } = opts;
  const db = log.db;
  const endpoints = createEndpointStore(db);
  const outbox = createOutbox(db);
  const metrics = createWebhookMetrics(opts.registry, () => outbox.stats(), () => worker.openCircuits());
  const sender = createSender({
    timeoutMs: config.HUB_WEBHOOK_TIMEOUT_MS,
    allowPrivate: config.HUB_WEBHOOK_ALLOW_PRIVATE,
    userAgent: 'Showwire-Webhooks/0.1',
  });
  let publish: Publish | undefined;
  // The delivery log is kept as long as the events are (HUB_RETENTION_HOURS).
  const prune = () => {
    try {
      outbox.prune(Date.now() / 1000 - config.HUB_RETENTION_HOURS * 3600);
    } catch (error) {
      logger.error({ err: error }, 'webhook delivery log prune failed');
    }
  };
  let pruner: NodeJS.Timeout | undefined;
  const worker = createDeliveryWorker({
    db,
    outbox,
    endpoints,
    sender,
    metrics,
    logger,
    options: {
      schedule: config.HUB_WEBHOOK_SCHEDULE,
      jitter: config.HUB_WEBHOOK_JITTER,
      perEndpoint: config.HUB_WEBHOOK_ENDPOINT_CONCURRENCY,
      total: config.HUB_WEBHOOK_CONCURRENCY,
      disableAfterSeconds: config.HUB_WEBHOOK_DISABLE_AFTER_DAYS * 86400,
      breakerFailures: config.HUB_WEBHOOK_BREAKER_FAILURES,
      breakerCooldownMs: config.HUB_WEBHOOK_BREAKER_COOLDOWN_MS,
      breakerMaxCooldownMs: Math.max(config.HUB_WEBHOOK_BREAKER_COOLDOWN_MS, 600_000),
    },
    disable: (id, reason) => update(id, { enabled: false }, reason),
    onDisabled: (ep, reason) => void announceDisabled(ep, reason),
    afterDurable: log.afterDurable,
  });
  // Never removed: appends the log flushes while closing still get their rows (delivered after restart).
  log.onCommit((records) => {
    if (outbox.enqueue(records, endpoints.enabled()) > 0) worker.wake();
  });

  /** Tells everyone (SSE, and other endpoints that want it) that the hub disabled an endpoint. */
  async function announceDisabled(ep: Endpoint, reason: DisableReason) {
    logger.warn({ endpoint: ep.id, reason }, 'webhook endpoint disabled');
    try {
      await publish?.(
        [{ type: WEBHOOK_ENDPOINT_DISABLED, show: DEFAULT_SHOW, endpointId: ep.id, description: ep.description, reason, failingSince: ep.failingSince }],
        WEBHOOKS_PRINCIPAL,
      );
    } catch (error) {
      logger.error({ err: error, endpoint: ep.id }, 'could not publish webhook_endpoint_disabled');
    }
  }

  async function checkUrl(url: string) {
    if (config.HUB_WEBHOOK_ALLOW_PRIVATE) return;
    try {
      await assertPublicUrl(new URL(url));
    } catch (error) {
      if (error instanceof RefusedUrlError) {
        throw new HttpError('webhook_url_refused', `url: ${error.message}`, [{ path: 'url', message: error.message }]);
      }
      throw error;
    }
  }

  const mustGet = (id: string) => {
    const ep = endpoints.get(id);
    if (!ep) throw notFound(`webhook endpoint "${id}" does not exist`);
    return ep;
  };
  const mustGetDelivery = (id: string) => {
    const d = outbox.get(Number(id));
    if (!d) throw notFound(`webhook delivery "${id}" does not exist`);
    return d;
  };

  /** The one way an endpoint changes: disabling it (by hand or by the worker) fails its queue with it. */
  function update(id: string, patch: EndpointPatch, reason: 'manual' | DisableReason = 'manual') {
    const before = mustGet(id);
    const ep = db.transaction(() => {
      const ep = endpoints.update(id, patch, reason)!;
      if (before.enabled && !ep.enabled) outbox.failPending(id, `endpoint disabled (${reason})`);
      return ep;
    })();
    if (!before.enabled && ep.enabled) {
      worker.forget(id); // re-enabled by hand: it learns its health afresh
      worker.wake();
    }
    return ep;
  }

  return {
    endpoints,
    outbox,
    metrics,
    /** Enabled endpoints with their failing-since time (the `webhook_failing` alert rule reads them). */
    enabledEndpoints: () => endpoints.enabled(),
    /** Starts delivering (what was pending before a restart goes out now); `publish` is the hub's. */
    start(hubPublish: Publish) {
      publish = hubPublish;
      prune();
      pruner = setInterval(prune, 60_000).unref();
      worker.start();
    },
    async close() {
      clearInterval(pruner);
      await worker.stop();
    },

    async createEndpoint(input: { url: string; description: string; types?: string[] | null; shows?: string[] | null; secret?: string; enabled: boolean }) {
      await checkUrl(input.url);
      const ep = endpoints.create({ ...input, secret: input.secret ?? generateSecret() });
      return ep;
    },
    async updateEndpoint(id: string, patch: EndpointPatch) {
      mustGet(id);
      if (patch.url !== undefined) await checkUrl(patch.url);
      return update(id, patch);
    },
    // Endpoints are answered whole: the routes' response schemas (protocol's `webhookEndpoint`)
    // send only the listed fields, so the secrets and the filter sets never leave the hub.
    getEndpoint: (id: string) => mustGet(id),
    listEndpoints: () => endpoints.list(),
    setEnabled: (id: string, enabled: boolean) => update(id, { enabled }),
    secret: (id: string) => ({ secret: mustGet(id).secret }),
    deleteEndpoint(id: string) {
      mustGet(id);
      db.transaction(() => {
        endpoints.remove(id);
        outbox.removeEndpoint(id);
      })();
      worker.forget(id);
    },
    rotateSecret(id: string, secret: string | undefined, graceSeconds: number) {
      mustGet(id);
      const ep = endpoints.rotate(id, secret ?? generateSecret(), graceSeconds)!;
      return { secret: ep.secret, previousSecretValidUntil: ep.oldSecretUntil };
    },
    /** Queues a `webhook_test` message to one endpoint (not stored in the log, not sent to others). */
    sendTest(id: string) {
      const ep = mustGet(id);
      const now = Date.now() / 1000;
      const msgId = `msg_test_${randomUUID()}`;
      const payload = JSON.stringify({ id: msgId, show: DEFAULT_SHOW, type: WEBHOOK_TEST, timestamp: now, receivedAt: now, source: 'hub:webhooks', endpointId: ep.id });
      const delivery = outbox.enqueueMessage(ep.id, msgId, WEBHOOK_TEST, payload, now);
      worker.wake();
      return delivery;
    },
    getDelivery: (id: string) => ({ ...mustGetDelivery(id), attemptLog: outbox.attempts(Number(id)), payload: outbox.payload(Number(id)) ?? null }),
    redeliver(id: string) {
      const d = mustGetDelivery(id);
      if (!endpoints.get(d.endpointId)?.enabled) throw new HttpError('endpoint_disabled', `endpoint "${d.endpointId}" is disabled; enable it first`);
      outbox.redeliver(Number(id));
      worker.wake();
      return outbox.get(Number(id))!;
    },
    recover(id: string, since: number) {
      const ep = mustGet(id);
      if (!ep.enabled) throw new HttpError('endpoint_disabled', `endpoint "${id}" is disabled; enable it first`);
      const requeued = outbox.recover(id, since);
      worker.wake();
      return { requeued };
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
