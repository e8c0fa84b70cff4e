import { parseRetryAfter, retryDelay } from './schedule.js';

/** Why the hub disabled an endpoint by itself. */
export type DisableReason = 'gone' | 'failing';

/** What one attempt brought back (the sender's answer, as far as the policy cares). */
export interface AttemptAnswer {
  statusCode: number | null;
  retryAfter: string | null;
  error: string | null;
}

export interface OutcomePolicy {
  /** Seconds to wait before each retry (the first attempt is immediate). */
  schedule: readonly number[];
  jitter: number;
  /** An endpoint whose attempts all failed for this long is disabled. */
  disableAfterSeconds: number;
}

/** What becomes of a delivery, and of its endpoint, after one attempt. */
export interface Outcome {
  status: 'succeeded' | 'pending' | 'failed';
  /** When a pending delivery is tried again (epoch seconds); null once it is final. */
  nextAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  /** The endpoint's failing-since time after this attempt (null: it answered). */
  failingSince: number | null;
  /** Set when this attempt disables the endpoint. */
  disable: DisableReason | null;
}

/**
 * The delivery policy, whole and pure (both stores settle through it): a 2xx succeeds and stops
 * the endpoint's failure clock; 410 Gone fails the delivery and disables the endpoint; anything
 * else is retried on the schedule (a 429/503 `Retry-After` replaces the schedule's wait, still
 * counting as an attempt, so it cannot keep a delivery alive forever) until the schedule runs
 * out; an endpoint whose every attempt failed for `disableAfterSeconds` is disabled.
 * `attempts` counts this one; `failingSince` is the endpoint's before it.
 */
export function decideOutcome(
  answer: AttemptAnswer,
  ctx: { at: number; attempts: number; failingSince: number | null },
  policy: OutcomePolicy,
  random: () => number = Math.random,
): Outcome {
  const code = answer.statusCode;
  if (code !== null && code >= 200 && code < 300) {
    return { status: 'succeeded', nextAt: null, lastStatusCode: code, lastError: null, failingSince: null, disable: null };
  }
  if (code === 410) {
    return { status: 'failed', nextAt: null, lastStatusCode: code, lastError: 'the endpoint answered 410 Gone: disabled', failingSince: ctx.failingSince, disable: 'gone' };
  }
  let delay = retryDelay(policy.schedule, ctx.attempts, policy.jitter, random);
  if (delay !== undefined && (code === 429 || code === 503)) delay = parseRetryAfter(answer.retryAfter, ctx.at * 1000) ?? delay;
  const failingSince = ctx.failingSince ?? ctx.at;
  return {
    status: delay === undefined ? 'failed' : 'pending',
    nextAt: delay === undefined ? null : ctx.at + delay,
    lastStatusCode: code,
    lastError: answer.error ?? `HTTP ${code}`,
    failingSince,
    disable: ctx.at - failingSince >= policy.disableAfterSeconds ? 'failing' : null,
  };
}
