import { searchAnswer, type SearchAnswer } from '@showwire/protocol';
import { apiRequest, type Fetch } from './api.js';

export interface SearchFilters {
  types?: string;
  role?: '' | 'user' | 'agent';
  status?: '' | 'idle' | 'live' | 'ended';
}

/**
 * What is typed, as the query to send while typing: the last word, not yet finished, is a prefix
 * (`comp` finds "complaint"), unless it ends a phrase or the typist ended it with a space.
 */
export function asTyped(input: string): string {
  const q = input.trim();
  if (!q || /\s$/.test(input) || q.endsWith('"') || q.endsWith('*')) return q;
  // An open phrase (odd number of quotes) is left as typed.
  if ((q.match(/"/g)?.length ?? 0) % 2 === 1) return q;
  return `${q}*`;
}

export function searchEvents(input: string, filters: SearchFilters, token: string | null, signal?: AbortSignal, f: Fetch = fetch): Promise<SearchAnswer> {
  const params = new URLSearchParams({ q: asTyped(input), limit: '50' });
  for (const k of ['types', 'role', 'status'] as const) {
    const v = filters[k];
    if (v) params.set(k, v);
  }
  return apiRequest(`/api/search?${params}`, token, { signal }, f, searchAnswer);
}
