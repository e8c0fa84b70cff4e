import type { FastifyBaseLogger } from 'fastify';
import { createEndpointHealth, isFailure, type BreakerState } from './endpoint-health.js';
import { signingSecrets, type Endpoint } from './endpoint-store.js';
import { shareSlots, type Claim } from './fair-share.js';
import type { WebhookMetrics } from './metrics.js';
import { decideOutcome, type DisableReason, type OutcomePolicy } from './outcome.js';
import type { createSender } from './sender.js';
import { signatureHeader } from './signer.js';
import type { DueDelivery, Settlement, WebhookStore } from './store.js';

interface WorkerOptions extends OutcomePolicy {
  perEndpoint: number;
  total: number;
  /** Failed attempts in a row that open an endpoint's circuit breaker. */
  breakerFailures: number;
  /** How long an open breaker waits before its probe (doubling per failed probe, up to max). */
  breakerCooldownMs: number;
  breakerMaxCooldownMs: number;
  /** How long a claim is this hub's (outlasts an attempt, so a live hub settles before it ends). */
  leaseSeconds: number;
  /** The longest the worker sleeps: what another hub did (a new endpoint, a dead hub's leases) is noticed by then. */
  maxSleepMs: number;
}

/** An attempt that finished, waiting for the next settle batch. */
interface Completion extends Settlement {
  /** The endpoint answered a probe, or for the first time since start: its backlog goes now. */
  release: boolean;
}

/**
 * Sends due deliveries from a WebhookStore, at most `perEndpoint` at a time to one endpoint and
 * `total` overall, and settles them through the one delivery policy (outcome.ts). The pool is
 * shared fairly (fair-share.ts: each endpoint keeps a guaranteed share, even while idle) and each
 * endpoint's share follows its health (endpoint-health.ts: adaptive limit and circuit breaker),
 * so endpoints that hang can't starve one that answers. The pool and the health are this hub's.
 *
 * A breaker's half-open probe is a retry of the endpoint's last failed delivery (the one request
 * that can tell whether it recovered; a never-tried one might fail for its own reasons), and an
 * endpoint that answers its probe gets its whole backlog at once, in message order, ahead of each
 * message's own retry time. So does an endpoint that answers for the first time since this hub
 * started. An endpoint with only retries waiting is probed too: once when this hub has not tried
 * it yet (a hub restarted after an outage), and after the breaker's cooldown when its last
 * attempt failed (endpoint-health.ts `idleProbeAt`), so no endpoint that answers again waits out
 * hours of retry schedule. No probe goes before what an endpoint's own `Retry-After` asked for.
 *
 * Results are settled in batches (one store round per pump), so a fast receiver costs one
 * transaction per batch, not per delivery.
 */
export function createDeliveryWorker(deps: {
  store: WebhookStore;
  sender: ReturnType<typeof createSender>;
  metrics: WebhookMetrics;
  logger: FastifyBaseLogger;
  options: WorkerOptions;
  /** The enabled endpoints, as the worker should see them now. */
  enabled: () => Promise<Endpoint[]>;
  /** After the settle batch that disabled it. */
  onDisabled: (endpoint: Endpoint, reason: DisableReason) => void;
  /** The log's: true when an append's sync runs (its outbox rows are not durable yet) and `run` will run once it is over. */
  afterDurable?: (run: () => void) => boolean;
}) {
  const { store, sender, metrics, logger, options } = deps;
  const health = createEndpointHealth(
    { maxConcurrency: options.perEndpoint, failures: options.breakerFailures, cooldownMs: options.breakerCooldownMs, maxCooldownMs: options.breakerMaxCooldownMs },
    (endpoint, state: BreakerState, streak) => {
      if (state === 'open') logger.warn({ endpoint, failedInARow: streak }, 'webhook endpoint failing: circuit open, attempts paused until a probe succeeds');
      else if (state === 'closed') logger.info({ endpoint }, 'webhook endpoint answered its probe: circuit closed');
    },
  );
  /** Attempts in flight, per endpoint. */
  const inflight = new Map<string, number>();
  /** Per endpoint, its last failed delivery: the breaker's probe. */
  const lastFailed = new Map<string, string>();
  /** Endpoints tried since this hub started, and those that answered. */
  const tried = new Set<string>();
  const answered = new Set<string>();
  /** Per endpoint, until when (ms epoch) its own `Retry-After` asked for quiet: no probe before. */
  const quietUntil = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const cancel = new AbortController();
  let completions: Completion[] = [];
  let rotation = 0;
  let stopped = false;
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  function wake() {
    if (stopped) return;
    if (pumping) return void (again = true);
    // No delivery of an event before it is durable: rows of an append being synced wait for it.
    if (deps.afterDurable?.(wake)) return;
    pumping = true;
    void pump().finally(() => {
      pumping = false;
      if (again) {
        again = false;
        wake();
      }
    });
  }

  /**
   * After a completion: one round for every attempt that finished in this turn of the event loop
   * (answers read in the same poll phase settle in one batch), not one round each.
   */
  let wakeQueued = false;
  function wakeSoon() {
    if (wakeQueued) return;
    wakeQueued = true;
    setImmediate(() => {
      wakeQueued = false;
      wake();
    });
  }

  /** One round: settle what finished, then share the pool between the enabled endpoints' due deliveries. */
  async function pump() {
    try {
      await flushCompletions();
      if (stopped) return;
      // Checked again here, not only in wake(): a commit may have landed while this round settled.
      // From here to the claims every await is a store call that answers in a microtask on SQLite,
      // so no append (a request, a macrotask) can commit between this check and the rows read.
      if (deps.afterDurable?.(wake)) return;
      const eps = await deps.enabled();
      const nowMs = Date.now();
      const now = nowMs / 1000;
      const dues = await store.dueOf(eps.map((e) => e.id), now, options.perEndpoint);
      let next: number | undefined;
      const soonest = (at: number | undefined) => {
        if (at !== undefined && (next === undefined || at < next)) next = at;
      };
      const probes: Endpoint[] = [];
      const claims: Claim[] = eps.map((ep, i) => {
        const busy = inflight.get(ep.id) ?? 0;
        const capacity = Math.min(options.perEndpoint, health.capacity(ep.id, nowMs));
        const reopens = health.reopensAt(ep.id);
        const { due, nextAt } = dues[i]!;
        // An open breaker sends nothing until its probe time; otherwise the next retry (or lease end) wakes us.
        soonest(reopens !== undefined ? reopens / 1000 : nextAt);
        // Only retries wait: an endpoint not tried since start, or whose last attempt failed, is probed.
        const waiting = busy === 0 && due === 0 && nextAt !== undefined;
        const idleProbe = waiting ? health.idleProbeAt(ep.id) : undefined;
        if (idleProbe !== undefined) soonest(idleProbe / 1000);
        const quiet = (quietUntil.get(ep.id) ?? 0) > nowMs;
        const probe = !quiet && (health.state(ep.id) === 'half-open' || (waiting && (!tried.has(ep.id) || (idleProbe !== undefined && idleProbe <= nowMs))));
        if (busy === 0 && capacity > 0 && probe) {
          probes.push(ep);
          return { id: ep.id, inflight: 1, capacity, due: 0 };
        }
        // Every enabled endpoint takes part, idle ones too: their guaranteed share stays free.
        return { id: ep.id, inflight: busy, capacity, due };
      });
      const byId = new Map(eps.map((e) => [e.id, e]));
      for (const ep of probes) {
        const d = await store.claimProbe(ep.id, lastFailed.get(ep.id), now, options.leaseSeconds);
        if (d) start(ep, d, true);
      }
      const grants = shareSlots(claims, options.total, running.size, claims.length ? rotation++ % claims.length : 0);
      for (const [id, n] of grants) for (const d of await store.claim(id, n, now, options.leaseSeconds)) start(byId.get(id)!, d);
      clearTimeout(timer);
      // Due-now rows not granted wait for a completion's wake; future ones for this timer.
      const wait = next === undefined ? options.maxSleepMs : Math.min(options.maxSleepMs, Math.max(0, (next - now) * 1000) + 2);
      timer = setTimeout(wake, wait).unref();
    } catch (error) {
      if (stopped) return;
      logger.error({ err: error }, 'webhook worker failed; retrying in 1 s');
      clearTimeout(timer);
      timer = setTimeout(wake, 1000).unref();
    }
  }

  function start(ep: Endpoint, d: DueDelivery, probe = false) {
    inflight.set(ep.id, (inflight.get(ep.id) ?? 0) + 1);
    tried.add(ep.id);
    const p = attempt(ep, d, probe)
      .catch((error: unknown) => logger.error({ err: error, delivery: d.id }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        const left = inflight.get(ep.id)! - 1;
        if (left > 0) inflight.set(ep.id, left);
        else inflight.delete(ep.id);
        running.delete(p);
        wakeSoon();
      });
    running.add(p);
  }

  async function attempt(ep: Endpoint, d: DueDelivery, probe: boolean) {
    const at = Date.now() / 1000;
    const timestamp = Math.floor(at);
    const headers = {
      'webhook-id': d.msgId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(signingSecrets(ep, at), d.msgId, timestamp, d.payload),
    };
    const r = await sender.send(ep.url, headers, d.payload, cancel.signal);
    if (r.cancelled) return void (await store.unclaim([d])); // not an attempt: due again as it was
    if (isFailure(r.statusCode)) {
      health.failed(ep.id);
      lastFailed.set(ep.id, d.id);
    } else {
      health.succeeded(ep.id);
    }
    const outcome = decideOutcome(r, { at, attempts: d.attempts + 1, failingSince: ep.failingSince }, options);
    const release = outcome.status === 'succeeded' && (probe || !answered.has(ep.id));
    if ((r.statusCode === 429 || r.statusCode === 503) && r.retryAfter && outcome.nextAt !== null) quietUntil.set(ep.id, outcome.nextAt * 1000);
    else if (outcome.status === 'succeeded') quietUntil.delete(ep.id);
    if (outcome.status === 'succeeded') answered.add(ep.id);
    metrics.attemptSeconds.observe(r.latencyMs / 1000);
    metrics.deliveries.inc({ outcome: outcome.status === 'pending' ? 'retrying' : outcome.status });
    const record = { at, statusCode: r.statusCode, latencyMs: r.latencyMs, error: r.error, response: r.response };
    completions.push({ delivery: d, attempt: record, outcome, release });
  }

  async function flushCompletions() {
    if (completions.length === 0) return;
    const batch = completions;
    completions = [];
    let disabled: Endpoint[];
    try {
      disabled = await store.settle(batch);
    } catch (error) {
      completions = batch.concat(completions); // settled on the next round (the pump retries)
      throw error;
    }
    const now = Date.now() / 1000;
    for (const id of new Set(batch.filter((c) => c.release).map((c) => c.delivery.endpointId))) {
      const n = await store.releaseBacklog(id, now);
      if (n > 0) logger.info({ endpoint: id, released: n }, 'webhook endpoint answers again: its backlog is due now');
    }
    for (const ep of disabled) {
      forget(ep.id);
      deps.onDisabled(ep, (ep.disabledReason ?? 'failing') as DisableReason);
    }
  }

  function forget(endpointId: string) {
    health.forget(endpointId);
    lastFailed.delete(endpointId);
    tried.delete(endpointId);
    answered.delete(endpointId);
    quietUntil.delete(endpointId);
  }

  return {
    start: wake,
    /** New deliveries may be due (an append, an API call, an endpoint enabled). */
    wake,
    /** Cancels in-flight attempts (they stay due), records what finished, stops. */
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      cancel.abort();
      await Promise.allSettled([...running]);
      while (pumping) await new Promise((r) => setTimeout(r, 5));
      await flushCompletions();
      await sender.close();
    },
    /** Endpoints whose circuit breaker is open or half-open. */
    openCircuits: () => health.openCount(),
    /** One endpoint's breaker, as this hub's worker knows it. */
    breaker: (endpointId: string) => health.breaker(endpointId),
    /** An endpoint re-enabled by hand, or deleted: it learns its health afresh. */
    forget,
  };
}
