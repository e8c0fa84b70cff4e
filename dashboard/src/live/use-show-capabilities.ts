import { useEffect, useState } from 'react';
import { showAnswer, type ShowCapabilities } from '@showwire/protocol';
import { ApiError, apiRequest } from '../lib/api.js';

export interface ShowAccess {
  /** What the hub says this sign-in can do on the show; undefined until it answered. */
  capabilities?: ShowCapabilities;
  /** 404: the hub has no event of this show (yet). */
  missing: boolean;
  /** 403: this sign-in may not watch the show. */
  forbidden: boolean;
}

/**
 * `GET /api/shows/:show` for its `capabilities`, asked again when the show's status changes
 * (an idle show that goes live, a live one that ends), so the controls follow the show.
 */
export function useShowCapabilities(show: string, token: string | null, status: string): ShowAccess {
  const [access, setAccess] = useState<ShowAccess>({ missing: false, forbidden: false });
  useEffect(() => {
    const abort = new AbortController();
    apiRequest(`/api/shows/${encodeURIComponent(show)}`, token, { signal: abort.signal }, fetch, showAnswer).then(
      (a) => setAccess({ capabilities: a.capabilities, missing: false, forbidden: false }),
      (e: unknown) => {
        if (abort.signal.aborted) return;
        setAccess({ missing: e instanceof ApiError && e.status === 404, forbidden: e instanceof ApiError && e.status === 403 });
      },
    );
    return () => abort.abort();
  }, [show, token, status]);
  return access;
}

/** Why a control or listen-in cannot work, in words: `reason` as the hub gives it (or the page found). */
export function blockedText(reason: ShowCapabilities['controlsBlocked'], what: 'controls' | 'listen'): string {
  switch (reason) {
    case 'ended':
      return 'The show has ended.';
    case 'not_yours':
      return 'This sign-in does not cover this show.';
    case 'livekit_unconfigured':
      return `LiveKit is not configured on this hub (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET): ${what === 'listen' ? 'there is no room to listen to' : 'nothing can reach the agent'}.`;
    case 'role':
      return what === 'listen' ? 'Listening in needs a staff or admin sign-in.' : 'The other controls need a staff or admin sign-in.';
    default:
      return '';
  }
}
