import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { unavailable } from '../errors.js';
import type { AppendedRecord, EventLog } from '../log/event-log.js';
import { isSearchableType } from './searchable-text.js';
import type { StoreHit, StoreQuery } from './search-store.js';
import type { SearchRequest, SearchResponse } from './worker-messages.js';

interface SearchIndexerOptions {
  dataDir: string;
  log: EventLog;
  logger: FastifyBaseLogger;
  /** How long appended records wait to be indexed together (ms). */
  flushMs: number;
  /** The log's age retention (seconds); the index drops what the log drops. */
  retentionSeconds: number;
}

/** Where a hub keeps its search index: beside the log, its own file (with Redis, each hub its own). */
const searchIndexFile = (dataDir: string) => join(dataDir, 'search.db');

/** Log records read per step of the start-up catch-up. */
const CATCH_UP_PAGE = 1000;

const dev = import.meta.url.endsWith('.ts');
const WORKER = fileURLToPath(new URL(`./search-worker.${dev ? 'ts' : 'js'}`, import.meta.url));

type Request = SearchRequest extends infer R ? (R extends unknown ? Omit<R, 'n'> : never) : never;

/** The search index: a pipeline consumer of appended records, and what the search route asks. */
export interface SearchIndexer {
  readonly name: string;
  /** Starts the catch-up with the log; call it once `apply` hears appends, so that every event is either read or heard. */
  start(): void;
  /** Queues appended records (called for every append this hub hears, in id order). */
  apply(records: readonly AppendedRecord[]): void;
  /** Answers from everything heard so far (the queue is handed over first). */
  search(q: StoreQuery): Promise<{ hits: StoreHit[]; complete: boolean }>;
  /** Resolves when the start-up catch-up is done (tests, the benchmark). */
  ready: () => Promise<void>;
  /** Rows indexed, of everything heard so far (the queue is handed over first). */
  count: () => Promise<number>;
  close(): Promise<void>;
}

/**
 * The search index as one consumer of appended records (`apply`), kept off ingest's path: apply
 * only queues the records' JSON, and a timer hands the queue to the index's own thread, which
 * writes it in one transaction. At start (`start`) it indexes what the log holds past the
 * index's `through` mark (everything, for a new or deleted index file), page by page, while new
 * records queue as usual; rows are unique by id, so an event both read and heard is stored once.
 */
export function createSearchIndexer(options: SearchIndexerOptions): SearchIndexer {
  const { log, logger } = options;
  const worker = new Worker(WORKER, { workerData: { file: searchIndexFile(options.dataDir), epoch: log.epoch } });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.on('message', (m: SearchResponse) => {
    const p = pending.get(m.n);
    pending.delete(m.n);
    if (m.error !== undefined) p?.reject(new Error(`search index: ${m.error}`));
    else p?.resolve(m.result);
  });
  worker.on('error', (error: Error) => {
    logger.error({ err: error }, 'search index thread failed');
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  // A thread that ends (terminated, or crashed without an 'error') answers nothing more: what it
  // owed is refused, and so is every later request (postMessage to an ended thread is silently
  // dropped, which left a catch-up or a close waiting forever).
  let exited: Error | undefined;
  worker.on('exit', (code) => {
    exited = new Error(`search index thread exited (${code})`);
    for (const p of pending.values()) p.reject(exited);
    pending.clear();
  });
  const call = <T>(m: Request): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      const n = next++;
      pending.set(n, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...m, n });
    });

  let queue: string[] = [];
  let lastQueued: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let caughtUp = false;
  let closed = false;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed || lastQueued === undefined) return;
    // Until the catch-up is done, `through` is its to move: records heard live are newer than
    // events it has not read yet.
    void call({ t: 'write', json: queue, ...(caughtUp && { through: lastQueued }) }).catch((error: unknown) => logger.error({ err: error }, 'search index write failed'));
    queue = [];
    lastQueued = undefined;
  }

  async function catchUp(): Promise<void> {
    const target = await log.lastId();
    let after = await call<string | undefined>({ t: 'through' });
    let read = 0;
    while (target !== undefined && !closed && (after === undefined || log.compare(after, target) < 0)) {
      const page = await log.read({ after, limit: CATCH_UP_PAGE });
      if (closed || !page.length) break;
      after = page.at(-1)!.id;
      // Waits for each page to be written: the log is read no faster than the index takes it.
      await call({ t: 'write', json: page.filter((r) => isSearchableType(r.type)).map((r) => r.json), through: after });
      read += page.length;
    }
    caughtUp = true;
    if (read) logger.info({ read }, 'search index caught up with the log');
  }

  const pruner = setInterval(() => {
    call<number>({ t: 'prune', before: Date.now() / 1000 - options.retentionSeconds }).then(
      (dropped) => dropped && logger.debug({ dropped }, 'search index pruned'),
      (error: unknown) => logger.error({ err: error }, 'search index prune failed'),
    );
  }, 60_000);
  pruner.unref();
  let ready: Promise<void> = Promise.resolve();

  return {
    name: 'search',
    start(): void {
      ready = catchUp().catch((error: unknown) => logger.error({ err: error }, 'search index catch-up failed; search answers from what it has'));
    },
    apply(records: readonly AppendedRecord[]): void {
      for (const r of records) {
        lastQueued = r.id;
        if (!r.duplicate && isSearchableType(r.type)) queue.push(r.json);
      }
      timer ??= setTimeout(flush, options.flushMs);
    },
    async search(q: StoreQuery): Promise<{ hits: StoreHit[]; complete: boolean }> {
      // The index is derived: without its thread the hub goes on, and search says why it can't answer.
      if (exited) throw unavailable('the search index is not running on this hub (see its log); it is rebuilt from the log at the next start');
      flush();
      const complete = caughtUp;
      return { hits: await call<StoreHit[]>({ t: 'search', q }), complete };
    },
    ready: () => ready,
    count(): Promise<number> {
      flush();
      return call<number>({ t: 'count' });
    },
    async close(): Promise<void> {
      flush();
      closed = true;
      clearInterval(pruner);
      // The hub's shutdown must not wait on the index: a catch-up or a close the thread never
      // answers is cut off after a few seconds (the index is derived; the next start catches up).
      const within = (p: Promise<unknown>) => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 3_000).unref())]);
      await within(ready);
      await within(call({ t: 'close' }));
      await worker.terminate();
    },
  };
}
