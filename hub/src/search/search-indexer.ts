import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { HubEvent } from '@showwire/protocol';
import type { AppendedRecord, EventLog, LogRecord } from '../log/event-log.js';
import { searchableOf } from './searchable-text.js';
import { openSearchStore, type IndexRow, type StoreQuery } from './search-store.js';

export interface SearchIndexerOptions {
  dataDir: string;
  log: EventLog;
  logger: FastifyBaseLogger;
  /** How long appended records wait to be indexed together (ms). */
  flushMs: number;
  /** The log's age retention (seconds); the index drops what the log drops. */
  retentionSeconds: number;
}

/** Where a hub keeps its search index: beside the log, its own file (with Redis, each hub its own). */
export const searchIndexFile = (dataDir: string) => join(dataDir, 'search.db');

const CATCH_UP_PAGE = 2000;

function rowOf(event: HubEvent): IndexRow | undefined {
  const found = searchableOf(event);
  return found && { id: event.id, show: event.show, type: event.type, role: found.role, receivedAt: event.receivedAt, text: found.text };
}

/**
 * The search index as one consumer of appended records (`apply`), kept off ingest's path: apply
 * only queues, and a timer writes the queue in one transaction. At start it indexes what the log
 * holds past the index's `through` mark (everything, for a new or deleted index file), in pages
 * that yield to the event loop, while new records queue as usual; rows are unique by id, so an
 * event both read and heard is stored once.
 */
export function createSearchIndexer(options: SearchIndexerOptions) {
  const { log, logger } = options;
  const store = openSearchStore(searchIndexFile(options.dataDir), log.epoch);
  let queue: AppendedRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let caughtUp = false;
  let closed = false;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!queue.length || closed) return;
    const batch = queue;
    queue = [];
    const rows = batch.flatMap((r) => (r.duplicate ? [] : (rowOf(r.event) ?? [])));
    // Until the catch-up is done, `through` is its to move: records heard live are newer than
    // events it has not read yet.
    store.write(rows, caughtUp ? batch.at(-1)!.id : undefined);
  }

  async function catchUp(): Promise<void> {
    const target = await log.lastId();
    let after = store.through();
    let indexed = 0;
    while (target !== undefined && !closed && (after === undefined || log.compare(after, target) < 0)) {
      const page: LogRecord[] = await log.read({ after, limit: CATCH_UP_PAGE });
      if (closed || !page.length) break;
      const rows = page.flatMap((r) => rowOf(JSON.parse(r.json) as HubEvent) ?? []);
      after = page.at(-1)!.id;
      store.write(rows, after);
      indexed += rows.length;
      await new Promise((r) => setImmediate(r));
    }
    caughtUp = true;
    if (indexed) logger.info({ indexed }, 'search index caught up with the log');
  }

  const pruner = setInterval(() => {
    const dropped = store.pruneBefore(Date.now() / 1000 - options.retentionSeconds);
    if (dropped) logger.debug({ dropped }, 'search index pruned');
  }, 60_000);
  pruner.unref();

  let ready: Promise<void> = Promise.resolve();

  return {
    name: 'search',
    /**
     * Starts the catch-up with the log; call it once `apply` hears appends, so that every event is
     * either read or heard.
     */
    start(): void {
      ready = catchUp().catch((error: unknown) => logger.error({ err: error }, 'search index catch-up failed; search answers from what it has'));
    },
    /** Queues appended records (called for every append this hub hears, in id order). */
    apply(records: AppendedRecord[]): void {
      queue.push(...records);
      timer ??= setTimeout(flush, options.flushMs);
    },
    /** Answers from everything heard so far (the queue is written first). */
    search(q: StoreQuery) {
      flush();
      return { hits: store.search(q), complete: caughtUp };
    },
    /** Resolves when the start-up catch-up is done (tests, the benchmark). */
    ready: () => ready,
    count: () => store.count(),
    async close(): Promise<void> {
      flush();
      closed = true;
      clearInterval(pruner);
      await ready;
      store.close();
    },
  };
}

export type SearchIndexer = ReturnType<typeof createSearchIndexer>;
