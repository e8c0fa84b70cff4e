import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../auth/access.js';
import type { AppendedRecord, HubLog, NewEvent } from '../log/event-log.js';
import type { StorageGuard } from '../log/storage-guard.js';
import type { Consumer, Derived, HubInput } from './consumer.js';
import { assertMayWrite } from './publish-policy.js';

const CAUGHT_UP_TIMEOUT_MS = 5000;

export interface PublishResult {
  ids: string[];
  /** Connections of this hub the events were queued to (see `reached` below). */
  clients_notified: number;
  records: AppendedRecord[];
}

/** The one way in for every write: routes, the NDJSON stream and the hub's own producers. */
export type Publish = (inputs: HubInput[], principal: Principal) => Promise<PublishResult>;

interface PipelineOptions {
  log: HubLog;
  /** Disk checks of the SQLite file (none on Redis). */
  storage?: StorageGuard;
  logger: FastifyBaseLogger;
  /**
   * This hub's connections that want a record, for `clients_notified` when the log answers before
   * the consumers heard the batch (Redis: the stream reader runs them, and the append does not
   * wait for it; the count is then this hub's matching subscribers at publish time).
   */
  reached: (records: readonly AppendedRecord[]) => number;
  onDuplicates?: (n: number) => void;
  /** In order: each sees a batch after the ones before it (the registry before what reads it, …). */
  consumers: readonly Consumer[];
}

/**
 * decide (publish-policy.ts) → stamp → append (durable on return) → the consumers, in their
 * declared order, on every stored batch the log hands out. What consumers derive is published
 * after the batch that caused it, through `publish` again, so it is checked, stored and consumed
 * like any event.
 */
export function createPipeline(opts: PipelineOptions) {
  const { log, storage, logger, consumers } = opts;

  // Records the consumers heard before `append` resolved (SQLite runs them inside the commit):
  // the fan-out consumer's count on them (`notified`) is exact.
  const heard = new WeakSet<AppendedRecord>();

  // What this hub appended last, and what its consumers heard last (see `caughtUp`).
  let appended: string | undefined;
  let heardUpTo: string | undefined;
  let waiters: Array<() => void> = [];
  const behind = () => appended !== undefined && (heardUpTo === undefined || log.compare(heardUpTo, appended) < 0);

  log.onAppend((records) => {
    heardUpTo = records.at(-1)!.id;
    const derived: Derived[] = [];
    for (const c of consumers) {
      try {
        const out = c.apply(records);
        if (out) derived.push(...out.filter((d) => d.events.length > 0));
      } catch (error) {
        logger.error({ err: error, consumer: c.name }, 'a pipeline consumer failed');
      }
    }
    for (const r of records) heard.add(r);
    if (waiters.length && !behind()) for (const w of waiters.splice(0)) w();
    // The log is committing: what was derived goes into its next append, in order.
    for (const d of derived) {
      publish(d.events, d.by).catch((error: unknown) => logger.error({ err: error, types: d.events.map((e) => e.type) }, 'publishing derived events failed'));
    }
  });

  async function publish(inputs: HubInput[], principal: Principal): Promise<PublishResult> {
    assertMayWrite(principal, inputs);
    const now = Date.now() / 1000;
    const source = `${principal.role}:${principal.sub}`;
    const events: NewEvent[] = inputs.map((e) => ({ ...e, source, timestamp: e.timestamp ?? now, receivedAt: now }));
    // No 2xx for an event the storage can't keep (storage-guard.ts).
    storage?.assertWritable();
    let records: AppendedRecord[];
    try {
      records = await log.append(events);
    } catch (error) {
      throw storage?.failed(error) ?? error;
    }
    storage?.succeeded();
    storage?.assertStillThere();
    const dupes = records.filter((r) => r.duplicate).length;
    if (dupes) opts.onDuplicates?.(dupes);
    const fresh = records.filter((r) => !r.duplicate);
    const top = fresh.at(-1)?.id;
    if (top !== undefined && (appended === undefined || log.compare(top, appended) > 0)) appended = top;
    const unheard = fresh.filter((r) => !heard.has(r));
    const notified = fresh.reduce((n, r) => n + (heard.has(r) ? r.notified : 0), 0) + (unheard.length ? opts.reached(unheard) : 0);
    return { ids: records.map((r) => r.id), clients_notified: notified, records };
  }

  /**
   * Resolves once the consumers of this hub have heard everything it appended (at once on
   * SQLite, which runs them in the commit; on Redis once the stream reader got there, or after
   * `CAUGHT_UP_TIMEOUT_MS` when the reader is stalled). For the few answers built from what the
   * consumers fold (the carousel, a reservation), not for ingest, which never waits for it.
   */
  function caughtUp(): Promise<void> {
    if (!behind()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => (clearTimeout(timer), resolve());
      const timer = setTimeout(() => ((waiters = waiters.filter((w) => w !== done)), resolve()), CAUGHT_UP_TIMEOUT_MS);
      timer.unref();
      waiters.push(done);
    });
  }

  return { publish, caughtUp };
}
