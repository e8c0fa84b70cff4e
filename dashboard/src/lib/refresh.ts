import { decodeClaims } from './auth.js';
import { ApiError } from './api.js';
import { refreshToken } from './supervision-api.js';

/**
 * When to refresh a token: at 80% of its life (at least 5 s and at most 10 min before `exp`), so
 * a slow or failed attempt still has time to be retried before the hub ends the stream.
 */
export function refreshDelayMs(iat: number | undefined, exp: number, nowMs: number): number {
  const life = iat !== undefined ? exp - iat : 3600;
  const before = Math.min(600, Math.max(5, life * 0.2));
  return Math.max(0, (exp - before) * 1000 - nowMs);
}

/**
 * Keeps a session alive for a whole show: refreshes the token before it expires and hands each
 * new one to `onToken`; a refusal (401: the session passed HUB_SESSION_MAX_HOURS, or the key
 * changed) calls `onRefused`; a hub that is unreachable is retried every few seconds until the
 * token itself runs out. Answers a stop function.
 */
export function keepFresh(token: string, onToken: (t: string) => void, onRefused: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const arm = (t: string, delay?: number) => {
    const claims = decodeClaims(t);
    if (claims?.exp === undefined || stopped) return;
    timer = setTimeout(() => void attempt(t), delay ?? refreshDelayMs(claims.iat, claims.exp, Date.now()));
  };
  async function attempt(t: string) {
    try {
      const r = await refreshToken(t);
      if (stopped) return;
      onToken(r.token);
      arm(r.token);
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && error.status === 401) return onRefused();
      arm(t, 3000);
    }
  }
  arm(token);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
