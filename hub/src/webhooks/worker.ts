import type Database from 'better-sqlite3';
import type { FastifyBaseLogger } from 'fastify';
import { createEndpointHealth, isFailure, type BreakerState } from './endpoint-health.js';
import { signingSecrets, type Endpoint, type EndpointStore } from './endpoint-store.js';
import { shareSlots, type Claim } from './fair-share.js';
import type { WebhookMetrics } from './metrics.js';
import type { DueDelivery, Outbox } from './outbox.js';
import { parseRetryAfter, retryDelay } from './schedule.js';
import type { SendResult, createSender } from './sender.js';
import { signatureHeader } from './signer.js';

export interface WorkerOptions {
  /** Seconds to wait before each retry (the first attempt is immediate). */
  schedule: readonly number[];
  jitter: number;
  perEndpoint: number;
  total: number;
  /** An endpoint whose attempts all failed for this long is disabled. */
  disableAfterSeconds: number;
  /** Failed attempts in a row that open an endpoint's circuit breaker. */
  breakerFailures: number;
  /** How long an open breaker waits before its probe (doubling per failed probe, up to max). */
  breakerCooldownMs: number;
  breakerMaxCooldownMs: number;
}

export type DisableReason = 'gone' | 'failing';

interface Completion {
  delivery: DueDelivery;
  result: SendResult;
  at: number;
}

/**
 * Sends due deliveries, at most `perEndpoint` at a time to one endpoint and `total` overall, and
 * settles them. The pool is shared fairly (fair-share.ts: each endpoint keeps a guaranteed share,
 * even while idle) and each endpoint's share follows its health (endpoint-health.ts: adaptive
 * limit and circuit breaker), so endpoints that hang can't starve one that answers. Results are written in batches (one transaction per tick, like the log's group
 * commit), so a fast receiver costs one fsync per batch, not per delivery. In-flight state lives
 * only in memory: after a crash every unsettled delivery is simply due again (same webhook-id).
 */
export function createDeliveryWorker(deps: {
  db: Database.Database;
  outbox: Outbox;
  endpoints: EndpointStore;
  sender: ReturnType<typeof createSender>;
  metrics: WebhookMetrics;
  logger: FastifyBaseLogger;
  options: WorkerOptions;
  /** Disables an endpoint and fails its pending deliveries (runs inside the settle transaction). */
  disable: (endpointId: string, reason: DisableReason) => Endpoint;
  /** After the settle transaction committed. */
  onDisabled: (endpoint: Endpoint, reason: DisableReason) => void;
  /** The log's: true when an append's sync runs (its outbox rows are not durable yet) and `run` will run once it is over. */
  afterDurable?: (run: () => void) => boolean;
}) {
  const { db, outbox, endpoints, sender, metrics, logger, options } = deps;
  const health = createEndpointHealth(
    { maxConcurrency: options.perEndpoint, failures: options.breakerFailures, cooldownMs: options.breakerCooldownMs, maxCooldownMs: options.breakerMaxCooldownMs },
    (endpoint, state: BreakerState, streak) => {
      if (state === 'open') logger.warn({ endpoint, failedInARow: streak }, 'webhook endpoint failing: circuit open, attempts paused until a probe succeeds');
      else if (state === 'closed') logger.info({ endpoint }, 'webhook endpoint answered its probe: circuit closed');
    },
  );
  const inflight = new Map<string, Set<number>>();
  let rotation = 0;
  const running = new Set<Promise<void>>();
  const cancel = new AbortController();
  let inflightTotal = 0;
  let completions: Completion[] = [];
  let stopped = false;
  let pumpQueued = false;
  let timer: NodeJS.Timeout | undefined;

  function wake() {
    if (stopped || pumpQueued) return;
    pumpQueued = true;
    setImmediate(pump);
  }

  function pump() {
    pumpQueued = false;
    if (stopped) return;
    // No delivery of an event before it is durable: rows of an append being synced wait for it.
    if (deps.afterDurable?.(pump)) return;
    try {
      flushCompletions();
      const nowMs = Date.now();
      const now = nowMs / 1000;
      let next: number | undefined;
      const soonest = (at: number | undefined) => {
        if (at !== undefined && (next === undefined || at < next)) next = at;
      };
      const claims: Claim[] = [];
      const candidates = new Map<string, { ep: Endpoint; busy: Set<number>; fresh: DueDelivery[] }>();
      for (const ep of endpoints.enabled()) {
        let busy = inflight.get(ep.id);
        if (!busy) inflight.set(ep.id, (busy = new Set()));
        const capacity = Math.min(options.perEndpoint, health.capacity(ep.id, nowMs));
        const reopens = health.reopensAt(ep.id);
        // An open breaker sends nothing until its probe time; otherwise the next retry wakes us.
        soonest(reopens !== undefined ? reopens / 1000 : outbox.nextDueAt(ep.id, now));
        let fresh: DueDelivery[] = [];
        // In-flight deliveries are still pending and due, so ask for as many rows as the endpoint
        // may have in flight: at least `capacity - busy.size` of them are new.
        if (capacity > busy.size && inflightTotal < options.total) fresh = outbox.due(ep.id, now, capacity).filter((d) => !busy.has(d.id));
        // Every enabled endpoint takes part, idle ones too: their guaranteed share stays free.
        claims.push({ id: ep.id, inflight: busy.size, capacity, due: fresh.length });
        candidates.set(ep.id, { ep, busy, fresh });
      }
      const grants = shareSlots(claims, options.total, inflightTotal, claims.length ? rotation++ % claims.length : 0);
      for (const [id, n] of grants) {
        const c = candidates.get(id)!;
        for (const d of c.fresh.slice(0, n)) start(c.ep, d, c.busy);
      }
      armTimer(now, next);
    } catch (error) {
      logger.error({ err: error }, 'webhook worker failed; retrying in 1 s');
      clearTimeout(timer);
      timer = setTimeout(wake, 1000).unref();
    }
  }

  /**
   * Due-now rows are woken by commits, completions and the API; only future ones (retries) need
   * a timer, so an idle worker never wakes. The cap keeps long waits under setTimeout's limit.
   */
  function armTimer(now: number, at: number | undefined) {
    clearTimeout(timer);
    timer = at === undefined ? undefined : setTimeout(wake, Math.min(60_000, Math.max(0, (at - now) * 1000) + 2)).unref();
  }

  function start(ep: Endpoint, d: DueDelivery, busy: Set<number>) {
    busy.add(d.id);
    inflightTotal++;
    const p = attempt(ep, d)
      .catch((error: unknown) => logger.error({ err: error, delivery: d.id }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        busy.delete(d.id);
        inflightTotal--;
        running.delete(p);
        wake();
      });
    running.add(p);
  }

  async function attempt(ep: Endpoint, d: DueDelivery) {
    const now = Date.now() / 1000;
    const timestamp = Math.floor(now);
    const headers = {
      'webhook-id': d.msgId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(signingSecrets(ep, now), d.msgId, timestamp, d.payload),
    };
    const result = await sender.send(ep.url, headers, d.payload, cancel.signal);
    if (result.cancelled) return; // not an attempt: it is due again after restart
    if (isFailure(result.statusCode)) health.failed(ep.id);
    else health.succeeded(ep.id);
    metrics.attemptSeconds.observe(result.latencyMs / 1000);
    completions.push({ delivery: d, result, at: now });
  }

  function flushCompletions() {
    if (completions.length === 0) return;
    const batch = completions;
    completions = [];
    const disabled: Array<[Endpoint, DisableReason]> = [];
    db.transaction(() => {
      for (const c of batch) settle(c, disabled);
    })();
    for (const [ep, reason] of disabled) deps.onDisabled(ep, reason);
  }

  function settle({ delivery: d, result: r, at }: Completion, disabled: Array<[Endpoint, DisableReason]>) {
    const ep = endpoints.get(d.endpointId);
    if (!ep) return; // deleted (with its deliveries) while the attempt ran
    outbox.recordAttempt(d.id, { at, statusCode: r.statusCode, latencyMs: r.latencyMs, error: r.error, response: r.response });
    const attempts = d.attempts + 1;
    const code = r.statusCode;
    if (code !== null && code >= 200 && code < 300) {
      outbox.settle(d.id, 'succeeded', attempts, null, code, null);
      endpoints.setFailing(ep.id, null);
      metrics.deliveries.inc({ outcome: 'succeeded' });
      return;
    }
    const disable = (reason: DisableReason) => {
      if (!endpoints.get(ep.id)?.enabled) return;
      disabled.push([deps.disable(ep.id, reason), reason]);
    };
    const error = r.error ?? `HTTP ${code}`;
    if (code === 410) {
      outbox.settle(d.id, 'failed', attempts, null, code, 'the endpoint answered 410 Gone: disabled');
      metrics.deliveries.inc({ outcome: 'failed' });
      disable('gone');
      return;
    }
    let delay = retryDelay(options.schedule, attempts, options.jitter);
    // The receiver knows when it can take more: its Retry-After replaces the schedule's wait
    // (still counting as an attempt, so it cannot keep a delivery alive forever).
    if (delay !== undefined && (code === 429 || code === 503)) delay = parseRetryAfter(r.retryAfter) ?? delay;
    if (delay === undefined) {
      outbox.settle(d.id, 'failed', attempts, null, code, error);
      metrics.deliveries.inc({ outcome: 'failed' });
    } else {
      outbox.settle(d.id, 'pending', attempts, at + delay, code, error);
      metrics.deliveries.inc({ outcome: 'retrying' });
    }
    const failingSince = endpoints.setFailing(ep.id, at)?.failingSince ?? at;
    if (at - failingSince >= options.disableAfterSeconds) disable('failing');
  }

  return {
    start: wake,
    /** New deliveries were committed (called from the log's commit hook). */
    wake,
    /** Cancels in-flight attempts (they stay due), records what finished, stops. */
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      cancel.abort();
      await Promise.allSettled([...running]);
      flushCompletions();
      await sender.close();
    },
    /** Endpoints whose circuit breaker is open or half-open. */
    openCircuits: () => health.openCount(),
    breakerState: (endpointId: string) => health.state(endpointId),
    forget: (endpointId: string) => health.forget(endpointId),
  };
}
