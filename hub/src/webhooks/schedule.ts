/**
 * When to try a delivery again. The default follows Svix: the first attempt at once, then after
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (8 attempts over about 28 hours).
 */
export const DEFAULT_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

/** The longest wait a `Retry-After` can ask for; beyond it the schedule's own wait is used. */
const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `"5s,5m,2h"` (a bare number is milliseconds) → seconds per retry, or an error message. */
export function parseSchedule(text: string): number[] | string {
  const steps = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (steps.length === 0 || steps.length > 50) return 'must list 1 to 50 waits, e.g. "5s,5m,30m,2h"';
  const out: number[] = [];
  for (const step of steps) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(step);
    if (!m) return `"${step}" is not a wait (a number with ms, s, m, h or d; a bare number is ms)`;
    out.push(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
  }
  return out;
}

/**
 * Seconds to wait before retry number `retry` (1-based), stretched by up to `jitter` (0..1) so
 * that deliveries which failed together do not all come back in the same instant. Jitter only
 * lengthens the wait, so a receiver never sees a retry sooner than the schedule says.
 */
export function retryDelay(schedule: readonly number[], retry: number, jitter: number, random = Math.random): number | undefined {
  const base = schedule[retry - 1];
  return base === undefined ? undefined : base * (1 + jitter * random());
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), MAX_RETRY_AFTER_SECONDS);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, (at - now) / 1000), MAX_RETRY_AFTER_SECONDS);
}
