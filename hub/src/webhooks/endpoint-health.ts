import type { WebhookBreaker } from '@showwire/protocol';

/**
 * How many requests each webhook endpoint may have in flight, learned from its answers, with a
 * circuit breaker (Convoy-style):
 * - **Adaptive limit** (AIMD): a failed attempt (no answer in time, a refused connection, 5xx,
 *   429) halves the endpoint's limit, down to 1; an answered one raises it by 1, up to the
 *   configured per-endpoint concurrency. An endpoint that keeps timing out soon holds one slot of
 *   the shared pool, not eight.
 * - **Breaker**: after `failures` failed attempts in a row it opens: no attempts for `cooldownMs`
 *   (its deliveries stay pending; not attempted, so no retry is used up and nothing is lost).
 *   Then it is half-open: one probe (the worker sends a retry of the last failed delivery: the
 *   request that can tell whether the endpoint recovered). An answer closes it (the limit grows
 *   again from 1); a failure opens it again for twice as long, up to `maxCooldownMs`.
 * - **Idle probe**: an endpoint whose last attempt failed, too few in a row to open the breaker,
 *   and that has nothing due, may be probed after a cooldown too (`idleProbeAt`), so a handful
 *   of failed deliveries don't wait out hours of retry schedule once it answers again.
 * State lives in memory: after a restart every endpoint starts closed and learns again.
 */
interface HealthOptions {
  maxConcurrency: number;
  failures: number;
  cooldownMs: number;
  maxCooldownMs: number;
}

/** The breaker's states, as the endpoints API names them (protocol's `webhookBreakerStates`). */
export type BreakerState = WebhookBreaker['state'];

interface Health {
  limit: number;
  /** Failed attempts in a row. */
  streak: number;
  state: BreakerState;
  /** ms epoch when an open breaker lets a probe through. */
  openUntil: number;
  cooldownMs: number;
  /** ms epoch of the last failed attempt. */
  failedAt: number;
}

/** Whether an attempt's outcome says the endpoint is unwell (as opposed to answering, even with a 4xx). */
export const isFailure = (statusCode: number | null) => statusCode === null || statusCode >= 500 || statusCode === 429;

export function createEndpointHealth(opts: HealthOptions, onChange: (endpointId: string, state: BreakerState, streak: number) => void = () => {}) {
  const all = new Map<string, Health>();
  const get = (id: string) => {
    let h = all.get(id);
    if (!h) all.set(id, (h = { limit: opts.maxConcurrency, streak: 0, state: 'closed', openUntil: 0, cooldownMs: opts.cooldownMs, failedAt: 0 }));
    return h;
  };
  const open = (id: string, h: Health, now: number, cooldownMs: number) => {
    h.state = 'open';
    h.cooldownMs = Math.min(cooldownMs, opts.maxCooldownMs);
    h.openUntil = now + h.cooldownMs;
    h.limit = 1;
    onChange(id, 'open', h.streak);
  };

  return {
    /** Requests the endpoint may have in flight now: its limit when closed, 1 (the probe) when half-open, 0 while open. */
    capacity(id: string, now = Date.now()): number {
      const h = get(id);
      if (h.state === 'open' && now >= h.openUntil) {
        h.state = 'half-open';
        onChange(id, 'half-open', h.streak);
      }
      return h.state === 'open' ? 0 : h.state === 'half-open' ? 1 : h.limit;
    },
    /** When an open breaker will let a probe through (for the worker's timer), else undefined. */
    reopensAt(id: string): number | undefined {
      const h = all.get(id);
      return h?.state === 'open' ? h.openUntil : undefined;
    },
    /** When a closed breaker whose last attempt failed may probe (the worker does only when nothing is due), else undefined. */
    idleProbeAt(id: string): number | undefined {
      const h = all.get(id);
      return h?.state === 'closed' && h.streak > 0 ? h.failedAt + h.cooldownMs : undefined;
    },
    succeeded(id: string) {
      const h = get(id);
      h.streak = 0;
      if (h.state !== 'closed') {
        h.state = 'closed';
        h.cooldownMs = opts.cooldownMs;
        h.limit = 1;
        onChange(id, 'closed', 0);
        return;
      }
      h.limit = Math.min(opts.maxConcurrency, h.limit + 1);
    },
    failed(id: string, now = Date.now()) {
      const h = get(id);
      h.streak++;
      h.failedAt = now;
      h.limit = Math.max(1, Math.floor(h.limit / 2));
      // Attempts started before the breaker opened may still fail after: they don't extend it.
      if (h.state === 'half-open') open(id, h, now, h.cooldownMs * 2);
      else if (h.state === 'closed' && h.streak >= opts.failures) open(id, h, now, opts.cooldownMs);
    },
    state: (id: string): BreakerState => all.get(id)?.state ?? 'closed',
    /** The breaker as the endpoints API shows it; an open one whose cooldown ran out is half-open (its probe is next). */
    breaker(id: string, now = Date.now()): WebhookBreaker {
      const h = all.get(id);
      if (!h) return { state: 'closed', nextProbeAt: null, consecutiveFailures: 0 };
      const state = h.state === 'open' && now >= h.openUntil ? 'half-open' : h.state;
      return { state, nextProbeAt: state === 'open' ? h.openUntil / 1000 : null, consecutiveFailures: h.streak };
    },
    /** Endpoints whose breaker is not closed, for the metrics. */
    openCount: () => [...all.values()].filter((h) => h.state !== 'closed').length,
    forget: (id: string) => void all.delete(id),
  };
}
