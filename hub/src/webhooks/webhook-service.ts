import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import { DEFAULT_SHOW, WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TEST, type EventInput, type WebhookAttempt, type WebhookBreaker, type WebhookDelivery } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { Config } from '../config.js';
import { HttpError, notFound } from '../errors.js';
import type { Endpoint, EndpointPatch } from './endpoint-store.js';
import { createWebhookMetrics, type WebhookMetrics } from './metrics.js';
import type { DisableReason } from './outcome.js';
import { createSender } from './sender.js';
import { assertPublicUrl, RefusedUrlError } from './ssrf-guard.js';
import { generateSecret } from './signer.js';
import type { DeliveryQuery, WebhookStore } from './store.js';
import { createDeliveryWorker } from './worker.js';

/** An endpoint as the API answers it: its stored settings and this hub's breaker for it. */
export type EndpointView = Endpoint & { breaker: WebhookBreaker };

export type Publish = (events: Array<EventInput & { show: string }>, principal: Principal) => Promise<unknown>;

interface EndpointInput {
  url: string;
  description: string;
  types?: string[] | null;
  shows?: string[] | null;
  secret?: string;
  enabled: boolean;
}

/** Webhook forwarding as the hub and the routes see it, whatever the store. */
export interface WebhookService {
  readonly metrics: WebhookMetrics;
  /** Enabled endpoints with their failing-since time (the `webhook_failing` alert rule reads them). */
  enabledEndpoints(): Endpoint[];
  /** Events were stored (their outbox rows with them): wakes the worker when some endpoint may want them. */
  appended(): void;
  /** Starts delivering (what was pending before a restart goes out now); `publish` is the hub's. */
  start(publish: Publish): void;
  close(): Promise<void>;

  createEndpoint(input: EndpointInput): Promise<EndpointView>;
  updateEndpoint(id: string, patch: EndpointPatch): Promise<EndpointView>;
  getEndpoint(id: string): Promise<EndpointView>;
  listEndpoints(): Promise<EndpointView[]>;
  setEnabled(id: string, enabled: boolean): Promise<EndpointView>;
  secret(id: string): Promise<{ secret: string }>;
  deleteEndpoint(id: string): Promise<void>;
  rotateSecret(id: string, secret: string | undefined, graceSeconds: number): Promise<{ secret: string; previousSecretValidUntil: number | null }>;
  /** Queues a `webhook_test` message to one endpoint (not stored in the log, not sent to others). */
  sendTest(id: string): Promise<WebhookDelivery>;
  listDeliveries(q: DeliveryQuery): Promise<WebhookDelivery[]>;
  getDelivery(id: string): Promise<WebhookDelivery & { attemptLog: WebhookAttempt[]; payload: string | null }>;
  redeliver(id: string): Promise<WebhookDelivery>;
  recover(id: string, since: number): Promise<{ requeued: number }>;
}

/** Who the hub's own webhook events come from (`source: "admin:webhooks"`). */
const WEBHOOKS_PRINCIPAL: Principal = { sub: 'webhooks', role: 'admin', shows: null, hub: true };

/**
 * Webhook forwarding on an opened WebhookStore (the log's store: open-store.ts): the endpoint
 * API, one delivery worker, the delivery log's pruning, and the `webhook_endpoint_disabled`
 * notice. `maxSleepMs` bounds how late something another hub did is noticed (Redis).
 */
export function createWebhooks(opts: {
  store: WebhookStore;
  config: Config;
  logger: FastifyBaseLogger;
  registry: Registry;
  maxSleepMs: number;
  afterDurable?: ((run: () => void) => boolean) | undefined;
}): WebhookService {
  const { store, config, logger } = opts;
  // The queue's depth and age count every pending row: read when metrics are scraped (both gauges
  // share one read), never on the worker's rounds, where a round per completion made it a
  // millisecond per delivery on a backlog. A store that can't answer (Redis away) leaves the last
  // figures: a scrape still answers.
  let lastQueue = { depth: 0, oldest: null as number | null };
  let queueRead: Promise<{ depth: number; oldest: number | null }> | undefined;
  const queue = () =>
    (queueRead ??= store
      .stats()
      .then((q) => (lastQueue = q), () => lastQueue)
      .finally(() => {
        queueRead = undefined;
      }));
  const metrics = createWebhookMetrics(opts.registry, queue, () => worker.openCircuits());
  const sender = createSender({ timeoutMs: config.HUB_WEBHOOK_TIMEOUT_MS, allowPrivate: config.HUB_WEBHOOK_ALLOW_PRIVATE, userAgent: 'Showwire-Webhooks/0.1' });
  let publish: Publish | undefined;
  // The alert engine asks synchronously, on its tick: a copy refreshed by every worker round and
  // every few seconds answers (a rule measured in minutes loses nothing by it).
  let enabledCache: Endpoint[] = [];
  const enabled = async () => {
    enabledCache = (await store.listEndpoints()).filter((e) => e.enabled);
    return enabledCache;
  };
  const worker = createDeliveryWorker({
    store,
    sender,
    metrics,
    logger,
    options: {
      schedule: config.HUB_WEBHOOK_SCHEDULE,
      jitter: config.HUB_WEBHOOK_JITTER,
      disableAfterSeconds: config.HUB_WEBHOOK_DISABLE_AFTER_DAYS * 86400,
      perEndpoint: config.HUB_WEBHOOK_ENDPOINT_CONCURRENCY,
      total: config.HUB_WEBHOOK_CONCURRENCY,
      breakerFailures: config.HUB_WEBHOOK_BREAKER_FAILURES,
      breakerCooldownMs: config.HUB_WEBHOOK_BREAKER_COOLDOWN_MS,
      breakerMaxCooldownMs: Math.max(config.HUB_WEBHOOK_BREAKER_COOLDOWN_MS, 600_000),
      // The lease outlasts the attempt timeout, so a live hub always settles before it runs out.
      leaseSeconds: config.HUB_WEBHOOK_TIMEOUT_MS / 1000 + 5,
      maxSleepMs: opts.maxSleepMs,
    },
    enabled,
    onDisabled: (ep, reason) => void announceDisabled(ep, reason),
    ...(opts.afterDurable && { afterDurable: opts.afterDurable }),
  });
  let timers: NodeJS.Timeout[] = [];

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
      if (error instanceof RefusedUrlError) throw new HttpError('webhook_url_refused', `url: ${error.message}`, [{ path: 'url', message: error.message }]);
      throw error;
    }
  }
  /** The breaker is this hub's (in memory): another hub's worker may know the endpoint otherwise. */
  const withBreaker = (ep: Endpoint): EndpointView => ({ ...ep, breaker: worker.breaker(ep.id) });
  const mustGet = async (id: string) => {
    const ep = await store.getEndpoint(id);
    if (!ep) throw notFound(`webhook endpoint "${id}" does not exist`);
    return ep;
  };
  const mustGetDelivery = async (id: string) => {
    const d = await store.get(id);
    if (!d) throw notFound(`webhook delivery "${id}" does not exist`);
    return d;
  };
  const mustBeEnabled = async (id: string) => {
    if (!(await store.getEndpoint(id))?.enabled) throw new HttpError('endpoint_disabled', `endpoint "${id}" is disabled; enable it first`);
  };

  /** The one way an endpoint changes by hand: disabling it fails its queue with it (in the store). */
  async function update(id: string, patch: EndpointPatch) {
    const before = await mustGet(id);
    const ep = (await store.updateEndpoint(id, patch, 'manual')) ?? (await mustGet(id));
    if (!before.enabled && ep.enabled) worker.forget(id); // re-enabled: it learns its health afresh
    await enabled();
    worker.wake();
    return withBreaker(ep);
  }

  return {
    metrics,
    enabledEndpoints: () => enabledCache,
    appended() {
      if (enabledCache.length > 0) worker.wake();
    },
    start(hubPublish) {
      publish = hubPublish;
      // The delivery log is kept as long as the events are (HUB_RETENTION_HOURS); any hub may prune it.
      const prune = () =>
        store.prune(Date.now() / 1000 - config.HUB_RETENTION_HOURS * 3600).catch((error: unknown) => logger.error({ err: error }, 'webhook delivery log prune failed'));
      const refresh = () => enabled().catch((error: unknown) => logger.debug({ err: error }, 'webhook endpoint list refresh failed'));
      void prune();
      timers = [setInterval(() => void prune(), 60_000).unref(), setInterval(() => void refresh(), 5_000).unref()];
      worker.start();
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await worker.stop();
      await store.close();
    },

    async createEndpoint(input) {
      await checkUrl(input.url);
      const ep = await store.createEndpoint({ ...input, secret: input.secret ?? generateSecret() });
      await enabled(); // appends wake the worker from now on
      worker.wake();
      return withBreaker(ep);
    },
    async updateEndpoint(id, patch) {
      await mustGet(id);
      if (patch.url !== undefined) await checkUrl(patch.url);
      return update(id, patch);
    },
    // Endpoints are answered whole: the routes' response schemas (protocol's `webhookEndpoint`)
    // send only the listed fields, so the secrets and the filter sets never leave the hub.
    getEndpoint: async (id) => withBreaker(await mustGet(id)),
    listEndpoints: async () => (await store.listEndpoints()).map(withBreaker),
    setEnabled: (id, enabled) => update(id, { enabled }),
    secret: async (id) => ({ secret: (await mustGet(id)).secret }),
    async deleteEndpoint(id) {
      await mustGet(id);
      await store.removeEndpoint(id);
      worker.forget(id);
    },
    async rotateSecret(id, secret, graceSeconds) {
      await mustGet(id);
      const ep = (await store.rotateSecret(id, secret ?? generateSecret(), graceSeconds)) ?? (await mustGet(id));
      return { secret: ep.secret, previousSecretValidUntil: ep.oldSecretUntil };
    },
    async sendTest(id) {
      const ep = await mustGet(id);
      const now = Date.now() / 1000;
      const msgId = `msg_test_${randomUUID()}`;
      const payload = JSON.stringify({ id: msgId, show: DEFAULT_SHOW, type: WEBHOOK_TEST, timestamp: now, receivedAt: now, source: 'hub:webhooks', endpointId: ep.id });
      const delivery = await store.enqueueMessage(ep.id, msgId, WEBHOOK_TEST, payload, now);
      worker.wake();
      return delivery;
    },
    listDeliveries: (q) => store.list(q),
    async getDelivery(id) {
      const d = await mustGetDelivery(id);
      return { ...d, attemptLog: await store.attempts(id), payload: (await store.payload(id)) ?? null };
    },
    async redeliver(id) {
      const d = await mustGetDelivery(id);
      await mustBeEnabled(d.endpointId);
      await store.redeliver(id, Date.now() / 1000);
      worker.wake();
      return (await store.get(id))!;
    },
    async recover(id, since) {
      await mustGet(id);
      await mustBeEnabled(id);
      const requeued = await store.recover(id, since, Date.now() / 1000);
      worker.wake();
      return { requeued };
    },
  };
}
