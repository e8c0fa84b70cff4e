import type { SqliteEventLog } from '../log/sqlite-log.js';
import { createEndpointStore } from './endpoint-store.js';
import { createOutbox, type DueRow } from './outbox.js';
import type { DueDelivery, WebhookStore } from './store.js';

const toDue = (r: DueRow): DueDelivery => ({ ...r, id: String(r.id) });

/**
 * The webhook store in the log's SQLite file (endpoint-store.ts, outbox.ts). Every stored event is
 * matched against the enabled endpoints inside the log's commit transaction, so an acknowledged
 * event always has its delivery rows. Claims live in
 * memory only (one hub owns the file): after a crash every unsettled delivery is simply due again.
 */
export function createSqliteWebhookStore(log: SqliteEventLog): WebhookStore {
  const db = log.db;
  const endpoints = createEndpointStore(db);
  const outbox = createOutbox(db);
  const claimed = new Set<string>();
  const claimedOf = new Map<string, number>();
  const count = (endpointId: string, by: number) => claimedOf.set(endpointId, (claimedOf.get(endpointId) ?? 0) + by);
  // Never removed: appends the log flushes while closing still get their rows (delivered after restart).
  log.onCommit((records) => {
    outbox.enqueue(records, endpoints.enabled());
  });
  const take = (rows: DueRow[], n: number) => {
    const out: DueDelivery[] = [];
    for (const r of rows) {
      const d = toDue(r);
      if (out.length >= n || claimed.has(d.id)) continue;
      claimed.add(d.id);
      count(d.endpointId, 1);
      out.push(d);
    }
    return out;
  };
  const unclaim = (d: DueDelivery) => {
    if (claimed.delete(d.id)) count(d.endpointId, -1);
  };
  const disable = (id: string, reason: string) =>
    db.transaction(() => {
      const before = endpoints.get(id);
      const ep = endpoints.update(id, { enabled: false }, reason);
      if (before?.enabled) outbox.failPending(id, `endpoint disabled (${reason})`);
      return ep;
    })();

  return {
    listEndpoints: async () => endpoints.list(),
    getEndpoint: async (id) => endpoints.get(id),
    createEndpoint: async (input) => endpoints.create(input),
    async updateEndpoint(id, patch, reason = 'manual') {
      if (patch.enabled === false) return db.transaction(() => (endpoints.update(id, { ...patch, enabled: undefined }), disable(id, reason)))();
      return endpoints.update(id, patch, reason);
    },
    rotateSecret: async (id, secret, graceSeconds) => endpoints.rotate(id, secret, graceSeconds),
    async removeEndpoint(id) {
      return db.transaction(() => {
        outbox.removeEndpoint(id);
        return endpoints.remove(id);
      })();
    },

    async dueOf(ids, now, atMost) {
      return ids.map((id) => {
        // Claimed rows stay pending and due: count past them.
        const mine = claimedOf.get(id) ?? 0;
        return { due: Math.max(0, outbox.countDue(id, now, mine + atMost) - mine), nextAt: outbox.nextDueAt(id, now) };
      });
    },
    // In-flight deliveries are still pending and due, so ask for as many more rows as are claimed.
    claim: async (endpointId, n, now) => take(outbox.due(endpointId, now, n + claimed.size), n),
    async claimProbe(endpointId, preferId) {
      const preferred = preferId === undefined || claimed.has(preferId) ? undefined : outbox.pendingOne(Number(preferId));
      if (preferred?.endpointId === endpointId) return take([preferred], 1)[0];
      return take(outbox.pending(endpointId, claimed.size + 1), 1)[0];
    },
    releaseBacklog: async (endpointId, now) => outbox.releaseBacklog(endpointId, now),
    async unclaim(deliveries) {
      for (const d of deliveries) unclaim(d);
    },
    // Without fsync: one per settle batch cost ~0.3 ms a delivery; what a power cut loses is
    // attempted again under the same webhook-id.
    async settle(batch) {
      const disabled = log.unsynced(db.transaction(() => {
        const off = [];
        for (const { delivery: d, attempt, outcome: o } of batch) {
          unclaim(d);
          const ep = endpoints.get(d.endpointId);
          if (!ep) continue; // deleted (with its deliveries) while the attempt ran
          const id = Number(d.id);
          outbox.recordAttempt(id, attempt);
          outbox.settle(id, o.status, d.attempts + 1, o.nextAt, o.lastStatusCode, o.lastError);
          if (o.status !== 'succeeded' || ep.failingSince !== null) endpoints.setFailing(ep.id, o.failingSince);
          if (o.disable && endpoints.get(ep.id)?.enabled) off.push(disable(ep.id, o.disable)!);
        }
        return off;
      }));
      return disabled;
    },

    enqueueMessage: async (endpointId, msgId, type, payload, now) => outbox.enqueueMessage(endpointId, msgId, type, payload, now),
    get: async (id) => (/^\d+$/.test(id) ? outbox.get(Number(id)) : undefined),
    payload: async (id) => outbox.payload(Number(id)),
    attempts: async (id) => outbox.attempts(Number(id)),
    list: async (q) => outbox.list(q),
    redeliver: async (id, now) => outbox.redeliver(Number(id), now),
    recover: async (endpointId, since, now) => outbox.recover(endpointId, since, now),
    prune: async (before) => outbox.prune(before),
    stats: async () => outbox.stats(),
    async close() {},
  };
}
