import type { StoreQuery } from './search-store.js';

/** What the hub asks the search thread (search-worker.ts); `n` pairs each answer with its request. */
export type SearchRequest = { n: number } & (
  | { t: 'write'; json: string[]; through?: string }
  | { t: 'search'; q: StoreQuery }
  | { t: 'through' }
  | { t: 'count' }
  | { t: 'prune'; before: number }
  | { t: 'close' }
);

export type SearchResponse = { n: number; result?: unknown; error?: string };
