/**
 * The search index's own thread: it owns search.db, so that indexing (JSON parsing, FTS5
 * inserts) and ranking a query over a million rows never hold up the hub's event loop. Messages
 * are handled in the order sent, so a search sent after a write sees it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { HubEvent } from '@showwire/protocol';
import { searchableOf } from './searchable-text.js';
import { openSearchStore, type IndexRow } from './search-store.js';
import type { SearchRequest, SearchResponse } from './worker-messages.js';

const { file, epoch } = workerData as { file: string; epoch: string };
const store = openSearchStore(file, epoch);

function rowOf(json: string): IndexRow | undefined {
  const event = JSON.parse(json) as HubEvent;
  const found = searchableOf(event);
  return found && { id: event.id, show: event.show, type: event.type, role: found.role, receivedAt: event.receivedAt, text: found.text };
}

function handle(m: SearchRequest): unknown {
  switch (m.t) {
    case 'write':
      return store.write(m.json.flatMap((j) => rowOf(j) ?? []), m.through);
    case 'search':
      return store.search(m.q);
    case 'through':
      return store.through();
    case 'count':
      return store.count();
    case 'prune':
      return store.pruneBefore(m.before);
    case 'close':
      return store.close();
  }
}

parentPort!.on('message', (m: SearchRequest) => {
  let answer: SearchResponse;
  try {
    answer = { n: m.n, result: handle(m) };
  } catch (error) {
    answer = { n: m.n, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(answer);
});
