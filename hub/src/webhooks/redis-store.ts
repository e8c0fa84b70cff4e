import type { RedisEventLog } from '../log/redis-log.js';
import type { Endpoint } from './endpoint-store.js';
import { createRedisOutbox, type ClaimedDelivery } from './redis-outbox.js';
import type { DueDelivery, WebhookStore } from './store.js';

const toDue = (d: ClaimedDelivery): DueDelivery => ({ ...d, id: String(d.id) });
const isId = (id: string) => /^\d+$/.test(id);

/**
 * The webhook store in Redis, beside the Redis log (redis-outbox.ts), for many hubs: a claim is a
 * lease in Redis, so a delivery is in flight on one hub at a time and a dead hub's claims are
 * taken over when their lease ends.
 */
export function createRedisWebhookStore(log: RedisEventLog): WebhookStore {
  const outbox = createRedisOutbox(log);
  const { endpoints } = outbox;

  async function disable(ep: Endpoint, reason: string) {
    const off = await endpoints.update(ep, { enabled: false }, reason);
    if (ep.enabled) await outbox.failPending(ep.id, `endpoint disabled (${reason})`);
    return off;
  }

  return {
    listEndpoints: () => endpoints.list(),
    getEndpoint: (id) => endpoints.get(id),
    createEndpoint: (input) => endpoints.create(input),
    async updateEndpoint(id, patch, reason = 'manual') {
      const before = await endpoints.get(id);
      if (!before) return undefined;
      if (patch.enabled === false) return disable(await endpoints.update(before, { ...patch, enabled: before.enabled }), reason);
      return endpoints.update(before, patch, reason);
    },
    async rotateSecret(id, secret, graceSeconds) {
      const e = await endpoints.get(id);
      if (!e) return undefined;
      const t = Date.now() / 1000;
      return endpoints.save({ ...e, secret, oldSecret: graceSeconds > 0 ? e.secret : null, oldSecretUntil: graceSeconds > 0 ? t + graceSeconds : null, updatedAt: t });
    },
    async removeEndpoint(id) {
      if (!(await endpoints.get(id))) return false;
      await endpoints.remove(id);
      return true;
    },

    dueOf: async (ids, now, atMost) => (await outbox.dueOf(ids, now)).map((d) => ({ ...d, due: Math.min(d.due, atMost) })),
    claim: async (endpointId, n, now, leaseSeconds) => (await outbox.claim(endpointId, n, leaseSeconds, now)).map(toDue),
    claimProbe: async (endpointId, preferId, now, leaseSeconds) => {
      const d = await outbox.claimProbe(endpointId, preferId, leaseSeconds, now);
      return d && toDue(d);
    },
    releaseBacklog: (endpointId, now) => outbox.releaseBacklog(endpointId, now),
    unclaim: (deliveries) => outbox.unclaim(deliveries),
    async settle(batch) {
      await Promise.all(
        batch.map(({ delivery: d, attempt, outcome: o }) =>
          outbox.settle(Number(d.id), o.status, d.attempts + 1, o.nextAt, attempt, o.lastStatusCode, o.lastError, d.endpointId),
        ),
      );
      // Each endpoint's failure clock and whether it is disabled follow its last settled attempt.
      const last = new Map(batch.map((s) => [s.delivery.endpointId, s.outcome]));
      const disabled: Endpoint[] = [];
      for (const [id, o] of last) {
        const ep = await endpoints.get(id);
        if (!ep) continue;
        const disableBy = batch.find((s) => s.delivery.endpointId === id && s.outcome.disable)?.outcome.disable;
        if (disableBy && ep.enabled) {
          disabled.push(await disable(await endpoints.save({ ...ep, failingSince: o.failingSince ?? ep.failingSince }), disableBy));
        } else if ((o.failingSince === null) !== (ep.failingSince === null)) {
          await endpoints.save({ ...ep, failingSince: o.failingSince });
        }
      }
      return disabled;
    },

    enqueueMessage: (endpointId, msgId, type, payload) => outbox.enqueueMessage(endpointId, msgId, type, payload),
    get: async (id) => (isId(id) ? outbox.get(id) : undefined),
    payload: async (id) => (isId(id) ? outbox.payload(id) : undefined),
    attempts: (id) => outbox.attempts(id),
    list: (q) => outbox.list(q),
    async redeliver(id) {
      if (!(await outbox.get(id))) return false;
      await outbox.redeliver(id);
      return true;
    },
    recover: (endpointId, since) => outbox.recover(endpointId, since),
    prune: (before) => outbox.prune(before),
    stats: () => outbox.stats(),
    async close() {},
  };
}
