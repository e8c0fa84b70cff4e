import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import { DEFAULT_SHOW, WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TEST, type EventInput } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { Config } from '../config.js';
import { HttpError, notFound } from '../errors.js';
import type { RedisEventLog } from '../log/redis-log.js';
import { signingSecrets, type Endpoint, type EndpointPatch } from './endpoint-store.js';
import { createWebhookMetrics } from './metrics.js';
import { createEndpointHealth, isFailure, type BreakerState } from './endpoint-health.js';
import { shareSlots, type Claim } from './fair-share.js';
import { createRedisOutbox, type ClaimedDelivery } from './redis-outbox.js';
import { parseRetryAfter, retryDelay } from './schedule.js';
import { createSender } from './sender.js';
import { generateSecret, signatureHeader } from './signer.js';
import { assertPublicUrl, RefusedUrlError } from './ssrf-guard.js';

type Publish = (events: Array<EventInput & { show: string }>, principal: Principal) => Promise<unknown>;
const WEBHOOKS_PRINCIPAL: Principal = { sub: 'webhooks', role: 'admin', shows: null, hub: true };

/**
 * Webhooks with many hubs (HUB_STORE=redis): the same API as webhook-service.ts, on the Redis
 * outbox. Every hub runs a worker; a delivery is claimed with a lease (redis-outbox.ts), so it is
 * in flight on one hub at a time and a dead hub's claims are taken over when their lease ends.
 * The lease outlasts the attempt timeout, so a live hub always settles before it runs out.
 * Each hub shares its pool between endpoints like the SQLite worker (fair-share.ts, with
 * endpoint-health.ts's adaptive limit and circuit breaker, per hub); an endpoint is disabled on
 * 410 but not after days of failures.
 */
export function createRedisWebhooks(opts: { log: RedisEventLog; config: Config; logger: FastifyBaseLogger; registry: Registry }) {
  const { log, config, logger } = opts;
  const outbox = createRedisOutbox(log);
  const { endpoints } = outbox;
  let queue = { depth: 0, oldest: null as number | null };
  const metrics = createWebhookMetrics(opts.registry, () => queue, () => health.openCount());
  const sender = createSender({ timeoutMs: config.HUB_WEBHOOK_TIMEOUT_MS, allowPrivate: config.HUB_WEBHOOK_ALLOW_PRIVATE, userAgent: 'Showwire-Webhooks/0.1' });
  const leaseSeconds = config.HUB_WEBHOOK_TIMEOUT_MS / 1000 + 5;
  const cancel = new AbortController();
  const running = new Set<Promise<void>>();
  /** This hub's attempts in flight, per endpoint. */
  const inflight = new Map<string, number>();
  let rotation = 0;
  const health = createEndpointHealth(
    {
      maxConcurrency: config.HUB_WEBHOOK_ENDPOINT_CONCURRENCY,
      failures: config.HUB_WEBHOOK_BREAKER_FAILURES,
      cooldownMs: config.HUB_WEBHOOK_BREAKER_COOLDOWN_MS,
      maxCooldownMs: Math.max(config.HUB_WEBHOOK_BREAKER_COOLDOWN_MS, 600_000),
    },
    (endpoint, state: BreakerState, streak) => {
      if (state === 'open') logger.warn({ endpoint, failedInARow: streak }, 'webhook endpoint failing: circuit open on this hub, attempts paused until a probe succeeds');
      else if (state === 'closed') logger.info({ endpoint }, 'webhook endpoint answered its probe: circuit closed');
    },
  );
  let publish: Publish | undefined;
  let stopped = false;
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let pruner: NodeJS.Timeout | undefined;
  /** Whether the last round saw an enabled endpoint: with none, an append can have queued nothing. */
  let anyEndpoint = true;

  function wake() {
    if (stopped) return;
    if (pumping) return void (again = true);
    pumping = true;
    void pump().finally(() => {
      pumping = false;
      if (again) (again = false), wake();
    });
  }

  /**
   * One round: every enabled endpoint's due count and next due time from its own due zset, this
   * hub's pool shared between them (fair-share.ts, each endpoint's capacity following its health),
   * then one claim per endpoint granted slots. The pool and the health are per hub: each hub
   * shares its own `HUB_WEBHOOK_CONCURRENCY`.
   */
  async function pump() {
    try {
      const eps = (await endpoints.list()).filter((e) => e.enabled);
      anyEndpoint = eps.length > 0;
      const nowMs = Date.now();
      const dues = await outbox.dueOf(eps.map((e) => e.id));
      let next: number | undefined;
      const soonest = (at: number | undefined) => {
        if (at !== undefined && (next === undefined || at < next)) next = at;
      };
      const claims: Claim[] = eps.map((ep, i) => {
        const capacity = Math.min(config.HUB_WEBHOOK_ENDPOINT_CONCURRENCY, health.capacity(ep.id, nowMs));
        const reopens = health.reopensAt(ep.id);
        // An open breaker sends nothing until its probe time; otherwise the next retry (or the end
        // of another hub's lease) wakes us. Due-now rows not granted wait for a completion's wake.
        soonest(reopens !== undefined ? reopens / 1000 : dues[i]!.nextAt);
        return { id: ep.id, inflight: inflight.get(ep.id) ?? 0, capacity, due: dues[i]!.due };
      });
      const grants = shareSlots(claims, config.HUB_WEBHOOK_CONCURRENCY, running.size, claims.length ? rotation++ % claims.length : 0);
      for (const [id, n] of grants) for (const d of await outbox.claim(id, n, leaseSeconds)) start(d);
      queue = await outbox.stats();
      clearTimeout(timer);
      // A hub also wakes on every append it hears. The cap bounds how late a delivery freed by
      // another hub's death, or an endpoint enabled on another hub, is noticed.
      const wait = next === undefined ? 5000 : Math.min(5000, Math.max(0, (next - nowMs / 1000) * 1000) + 2);
      timer = setTimeout(wake, wait).unref();
    } catch (error) {
      if (stopped) return;
      logger.warn({ err: error }, 'webhook worker: Redis failed; retrying in 1 s');
      clearTimeout(timer);
      timer = setTimeout(wake, 1000).unref();
    }
  }

  function start(d: ClaimedDelivery) {
    inflight.set(d.endpointId, (inflight.get(d.endpointId) ?? 0) + 1);
    const p = attempt(d)
      .catch((error: unknown) => logger.error({ err: error, delivery: d.id }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        const left = inflight.get(d.endpointId)! - 1;
        if (left > 0) inflight.set(d.endpointId, left);
        else inflight.delete(d.endpointId);
        running.delete(p);
        wake();
      });
    running.add(p);
  }

  async function attempt(d: ClaimedDelivery) {
    const ep = await endpoints.get(d.endpointId);
    if (!ep || !ep.enabled) return outbox.failPending(d.endpointId, 'endpoint disabled or deleted');
    const at = Date.now() / 1000;
    const timestamp = Math.floor(at);
    const headers = {
      'webhook-id': d.msgId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(signingSecrets(ep, at), d.msgId, timestamp, d.payload),
    };
    const r = await sender.send(ep.url, headers, d.payload, cancel.signal);
    if (r.cancelled) return; // not an attempt: its lease runs out and it is due again
    if (isFailure(r.statusCode)) health.failed(ep.id);
    else health.succeeded(ep.id);
    metrics.attemptSeconds.observe(r.latencyMs / 1000);
    const record = { at, statusCode: r.statusCode, latencyMs: r.latencyMs, error: r.error, response: r.response };
    const attempts = d.attempts + 1;
    const code = r.statusCode;
    if (code !== null && code >= 200 && code < 300) {
      metrics.deliveries.inc({ outcome: 'succeeded' });
      return outbox.settle(d.id, 'succeeded', attempts, null, record, code, null, d.endpointId);
    }
    if (code === 410) {
      metrics.deliveries.inc({ outcome: 'failed' });
      await outbox.settle(d.id, 'failed', attempts, null, record, code, 'the endpoint answered 410 Gone: disabled', d.endpointId);
      await update(ep.id, { enabled: false }, 'gone');
      return;
    }
    let delay = retryDelay(config.HUB_WEBHOOK_SCHEDULE, attempts, config.HUB_WEBHOOK_JITTER);
    if (delay !== undefined && (code === 429 || code === 503)) delay = parseRetryAfter(r.retryAfter) ?? delay;
    const error = r.error ?? `HTTP ${code}`;
    metrics.deliveries.inc({ outcome: delay === undefined ? 'failed' : 'retrying' });
    await outbox.settle(d.id, delay === undefined ? 'failed' : 'pending', attempts, delay === undefined ? null : at + delay, record, code, error, d.endpointId);
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
  const mustGet = async (id: string) => {
    const ep = await endpoints.get(id);
    if (!ep) throw notFound(`webhook endpoint "${id}" does not exist`);
    return ep;
  };
  const mustGetDelivery = async (id: string) => {
    const d = /^\d+$/.test(id) ? await outbox.get(id) : undefined;
    if (!d) throw notFound(`webhook delivery "${id}" does not exist`);
    return d;
  };

  async function update(id: string, patch: EndpointPatch, reason: 'manual' | 'gone' = 'manual'): Promise<Endpoint> {
    const before = await mustGet(id);
    const ep = await endpoints.update(before, patch, reason);
    if (before.enabled && !ep.enabled) {
      await outbox.failPending(id, `endpoint disabled (${reason})`);
      if (reason === 'gone') void announceDisabled(ep);
    }
    if (!before.enabled && ep.enabled) wake();
    return ep;
  }

  async function announceDisabled(ep: Endpoint) {
    logger.warn({ endpoint: ep.id, reason: 'gone' }, 'webhook endpoint disabled');
    try {
      await publish?.(
        [{ type: WEBHOOK_ENDPOINT_DISABLED, show: DEFAULT_SHOW, endpointId: ep.id, description: ep.description, reason: 'gone', failingSince: ep.failingSince }],
        WEBHOOKS_PRINCIPAL,
      );
    } catch (error) {
      logger.error({ err: error, endpoint: ep.id }, 'could not publish webhook_endpoint_disabled');
    }
  }

  // The alert engine asks synchronously, on its tick; endpoints live in Redis, so a copy refreshed
  // every few seconds answers (a rule measured in minutes loses nothing by it).
  let enabledCache: Endpoint[] = [];
  let refresher: NodeJS.Timeout | undefined;
  const refreshEnabled = () =>
    endpoints.list().then(
      (all) => void (enabledCache = all.filter((e) => e.enabled)),
      (error: unknown) => logger.debug({ err: error }, 'webhook endpoint list refresh failed'),
    );
  return {
    outbox: { list: outbox.list.bind(outbox), prune: outbox.prune.bind(outbox) },
    metrics,
    /** Enabled endpoints with their failing-since time (the `webhook_failing` alert rule reads them). */
    enabledEndpoints: () => enabledCache,
    start(hubPublish: Publish) {
      publish = hubPublish;
      void refreshEnabled();
      refresher = setInterval(refreshEnabled, 5_000).unref();
      // The delivery log is kept as long as the events are (HUB_RETENTION_HOURS); any hub may prune it.
      const prune = () =>
        outbox.prune(Date.now() / 1000 - config.HUB_RETENTION_HOURS * 3600).catch((error: unknown) => logger.warn({ err: error }, 'webhook delivery log prune failed'));
      void prune();
      pruner = setInterval(prune, 60_000).unref();
      // Appends any hub made may have brought due deliveries; with no endpoint they brought none
      // (a round costs ~5 Redis commands), and the ≤ 5 s timer notices one made on another hub.
      log.onAppend(() => {
        if (anyEndpoint) wake();
      });
      wake();
    },
    async close() {
      clearInterval(refresher);
      stopped = true;
      clearTimeout(timer);
      clearInterval(pruner);
      cancel.abort();
      await Promise.allSettled([...running]);
      await sender.close();
    },
    async createEndpoint(input: { url: string; description: string; types?: string[] | null; shows?: string[] | null; secret?: string; enabled: boolean }) {
      await checkUrl(input.url);
      const ep = await endpoints.create({ ...input, secret: input.secret ?? generateSecret() });
      wake(); // the next round sees it, so appends wake the worker again
      return { ...ep, secret: ep.secret };
    },
    async updateEndpoint(id: string, patch: EndpointPatch) {
      await mustGet(id);
      if (patch.url !== undefined) await checkUrl(patch.url);
      return await update(id, patch);
    },
    getEndpoint: async (id: string) => await mustGet(id),
    listEndpoints: async () => (await endpoints.list()),
    setEnabled: async (id: string, enabled: boolean) => await update(id, { enabled }),
    secret: async (id: string) => ({ secret: (await mustGet(id)).secret }),
    async deleteEndpoint(id: string) {
      await mustGet(id);
      await endpoints.remove(id);
    },
    async rotateSecret(id: string, secret: string | undefined, graceSeconds: number) {
      const e = await mustGet(id);
      const t = Date.now() / 1000;
      const ep = await endpoints.save({ ...e, secret: secret ?? generateSecret(), oldSecret: graceSeconds > 0 ? e.secret : null, oldSecretUntil: graceSeconds > 0 ? t + graceSeconds : null, updatedAt: t });
      return { secret: ep.secret, previousSecretValidUntil: ep.oldSecretUntil };
    },
    async sendTest(id: string) {
      const ep = await mustGet(id);
      const t = Date.now() / 1000;
      const msgId = `msg_test_${randomUUID()}`;
      const payload = JSON.stringify({ id: msgId, show: DEFAULT_SHOW, type: WEBHOOK_TEST, timestamp: t, receivedAt: t, source: 'hub:webhooks', endpointId: ep.id });
      const delivery = await outbox.enqueueMessage(ep.id, msgId, WEBHOOK_TEST, payload);
      wake();
      return delivery;
    },
    getDelivery: async (id: string) => ({ ...(await mustGetDelivery(id)), attemptLog: await outbox.attempts(id) }),
    async redeliver(id: string) {
      const d = await mustGetDelivery(id);
      if (!(await endpoints.get(d.endpointId))?.enabled) throw new HttpError('endpoint_disabled', `endpoint "${d.endpointId}" is disabled; enable it first`);
      await outbox.redeliver(id);
      wake();
      return (await outbox.get(id))!;
    },
    async recover(id: string, since: number) {
      const ep = await mustGet(id);
      if (!ep.enabled) throw new HttpError('endpoint_disabled', `endpoint "${id}" is disabled; enable it first`);
      const requeued = await outbox.recover(id, since);
      wake();
      return { requeued };
    },
  };
}
