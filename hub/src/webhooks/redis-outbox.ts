import { randomBytes } from 'node:crypto';
import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus } from '@showwire/protocol';
import type { RedisEventLog } from '../log/redis-log.js';
import { matches, type Endpoint, type EndpointPatch } from './endpoint-store.js';
import { webhookKeys } from './redis-keys.js';

/**
 * The Lua prelude of the scripts that move deliveries: a delivery's due time is kept in step in
 * the global due zset (what any hub's worker polls) and its endpoint's (the fair share's queue).
 */
const DUE = `
local function due(all, mine, at, id)
  redis.call('ZADD', all, at, id)
  redis.call('ZADD', mine, at, id)
end
`;

/**
 * Claims up to ARGV[3] deliveries due at ARGV[1] and leases them to the caller until ARGV[2]: a
 * claimed delivery's due time becomes its lease end, so no other hub sees it due while it is in
 * flight, and a hub that dies leaves it due again when the lease runs out (taken over, same
 * webhook-id). Claims are per endpoint, from its own due zset (the fair share is decided by the
 * caller); the global due zset is kept in step. KEYS: due zset, the endpoint's due zset.
 */
const CLAIM = `${DUE}
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  due(KEYS[1], KEYS[2], ARGV[2], id)
end
return ids
`;
/**
 * Queues again, due at ARGV[3], every failed delivery of one endpoint created at or after ARGV[2]
 * (attempts start over, the webhook-id stays). One script, so a worker never claims a half-reset
 * row. KEYS: the endpoint's deliveries (zset), due zset, the endpoint's due zset. ARGV[1]: key prefix.
 */
const RECOVER = `${DUE}
local n = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local k = ARGV[1] .. 'wh:d:' .. id
  local v = redis.call('HMGET', k, 'status', 'created')
  if v[1] == 'failed' and tonumber(v[2]) >= tonumber(ARGV[2]) then
    redis.call('HSET', k, 'status', 'pending', 'attempts', 0, 'next', ARGV[3])
    due(KEYS[2], KEYS[3], ARGV[3], id)
    n = n + 1
  end
end
return n
`;

/**
 * Leases one pending, unclaimed delivery of an endpoint whatever its due time (the breaker's
 * probe): ARGV[1] when it qualifies, else the earliest. Unclaimed means its due score is still its
 * own next time (a claim moves the score to the lease end). KEYS: due zset, the endpoint's due
 * zset. ARGV: preferred id ('' for none), lease end, key prefix.
 */
const PROBE = `${DUE}
local function lease(id)
  local h = redis.call('HMGET', ARGV[3] .. 'wh:d:' .. id, 'status', 'next')
  local score = redis.call('ZSCORE', KEYS[2], id)
  if h[1] ~= 'pending' or not score or tonumber(score) ~= tonumber(h[2]) then return false end
  due(KEYS[1], KEYS[2], ARGV[2], id)
  return true
end
if ARGV[1] ~= '' and lease(ARGV[1]) then return ARGV[1] end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, 99)) do
  if lease(id) then return id end
end
return false
`;
/**
 * Makes every unclaimed pending delivery of an endpoint that waits for a retry due at once, at its
 * creation time (so they go out in message order). KEYS: due zset, the endpoint's due zset.
 * ARGV: now, key prefix. Answers how many moved.
 */
const RELEASE = `${DUE}
local n = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')) do
  local k = ARGV[2] .. 'wh:d:' .. id
  local h = redis.call('HMGET', k, 'status', 'next', 'created')
  local score = redis.call('ZSCORE', KEYS[2], id)
  if h[1] == 'pending' and tonumber(score) == tonumber(h[2]) then
    redis.call('HSET', k, 'next', h[3])
    due(KEYS[1], KEYS[2], h[3], id)
    n = n + 1
  end
end
return n
`;

/**
 * The outbox's part of the log's append script (RedisAppendHook): refuses the append when the
 * endpoints changed since the hub matched the events against them (the version key), else writes
 * one delivery, due now, for each endpoint the hub matched to each new event. KEYS: version,
 * delivery counter, due zset, all-deliveries zset. ARGV: version, now, key prefix, then per event
 * the matching endpoint ids, comma-separated.
 */
const APPEND_HOOK = `
local function append_hook(keys, argv)
  if (redis.call('GET', keys[1]) or '0') ~= argv[1] then return nil, 'webhook endpoints changed' end
  local now, prefix = argv[2], argv[3]
  return function(i, id, show, typ, json)
    for ep in string.gmatch(argv[4 + i], '[^,]+') do
      local did = redis.call('INCR', keys[2])
      redis.call('HSET', prefix .. 'wh:d:' .. did, 'msg', 'msg_' .. id, 'ep', ep, 'ev', id, 'type', typ, 'show', show,
        'payload', json, 'status', 'pending', 'attempts', 0, 'next', now, 'created', now)
      redis.call('ZADD', keys[3], now, did)
      redis.call('ZADD', prefix .. 'wh:due:' .. ep, now, did)
      redis.call('ZADD', keys[4], did, did)
      redis.call('ZADD', prefix .. 'wh:ep:' .. ep, did, did)
    end
  end
end
`;

type StoredEndpoint = Omit<Endpoint, 'typeSet' | 'showSet'>;
const withSets = (e: StoredEndpoint): Endpoint => ({ ...e, typeSet: e.types && new Set(e.types), showSet: e.shows && new Set(e.shows) });

export interface ClaimedDelivery {
  id: number;
  msgId: string;
  endpointId: string;
  payload: string;
  attempts: number;
}

/**
 * The webhook endpoints and outbox in Redis, beside the Redis log: its append script writes the
 * delivery rows of each new event (this file's APPEND_HOOK, matched here against the endpoints
 * with endpoint-store.ts's `matches`). Endpoints are few and read whole.
 */
export function createRedisOutbox(log: RedisEventLog) {
  const { redis } = log;
  const keys = webhookKeys(log.keys.prefix);
  /** The enabled endpoints as last read, and the version they were read at. */
  let matching: { version: string; enabled: Endpoint[] } | undefined;
  log.setAppendHook({
    lua: APPEND_HOOK,
    async prepare(events, stale) {
      if (stale || !matching) {
        const [[, version], [, all]] = (await redis.multi().get(keys.whVersion).hvals(keys.whEndpoints).exec()) as [[unknown, string | null], [unknown, string[]]];
        matching = { version: version ?? '0', enabled: all.map((j) => withSets(JSON.parse(j) as StoredEndpoint)).filter((e) => e.enabled) };
      }
      const { version, enabled } = matching;
      const perEvent = events.map((e) => enabled.filter((ep) => matches(ep, e.show, e.type)).map((ep) => ep.id).join(','));
      return { keys: [keys.whVersion, keys.whSeq, keys.whDue, keys.whAll], args: [version, Date.now() / 1000, keys.prefix, ...perEvent] };
    },
  });
  redis.defineCommand('swClaim', { numberOfKeys: 2, lua: CLAIM });
  redis.defineCommand('swRecover', { numberOfKeys: 3, lua: RECOVER });
  redis.defineCommand('swProbe', { numberOfKeys: 2, lua: PROBE });
  redis.defineCommand('swRelease', { numberOfKeys: 2, lua: RELEASE });
  const now = () => Date.now() / 1000;

  const toDelivery = (id: string, h: Record<string, string>): WebhookDelivery => ({
    id,
    webhookId: h.msg!,
    endpointId: h.ep!,
    eventId: h.ev ? h.ev : null,
    type: h.type!,
    show: h.show ? h.show : null,
    status: h.status as WebhookDeliveryStatus,
    attempts: Number(h.attempts ?? 0),
    nextAttemptAt: h.status === 'pending' ? Number(h.next) : null,
    createdAt: Number(h.created),
    lastStatusCode: h.code ? Number(h.code) : null,
    lastError: h.err ? h.err : null,
  });

  const endpoints = {
    async list(): Promise<Endpoint[]> {
      const all = await redis.hvals(keys.whEndpoints);
      return all.map((j) => withSets(JSON.parse(j) as StoredEndpoint)).sort((a, b) => a.createdAt - b.createdAt);
    },
    async get(id: string): Promise<Endpoint | undefined> {
      const j = await redis.hget(keys.whEndpoints, id);
      return j ? withSets(JSON.parse(j) as StoredEndpoint) : undefined;
    },
    /** Stores an endpoint; `matching` when the change may alter which events it takes (appends then match afresh). */
    async save(e: Endpoint, matching = false): Promise<Endpoint> {
      const { typeSet: _t, showSet: _s, ...stored } = e;
      const m = redis.multi().hset(keys.whEndpoints, e.id, JSON.stringify(stored));
      if (matching) m.incr(keys.whVersion);
      await m.exec();
      return e;
    },
    async create(input: { url: string; description: string; types?: string[] | null; shows?: string[] | null; secret: string; enabled: boolean }) {
      const t = now();
      const e: StoredEndpoint = {
        id: `ep_${randomBytes(12).toString('base64url')}`,
        url: input.url,
        description: input.description,
        types: input.types ?? null,
        shows: input.shows ?? null,
        enabled: input.enabled,
        disabledReason: input.enabled ? null : 'manual',
        failingSince: null,
        createdAt: t,
        updatedAt: t,
        secret: input.secret,
        oldSecret: null,
        oldSecretUntil: null,
      };
      return endpoints.save(withSets(e), true);
    },
    async update(e: Endpoint, patch: EndpointPatch, reason = 'manual'): Promise<Endpoint> {
      const enabled = patch.enabled ?? e.enabled;
      return endpoints.save(
        withSets({
          ...e,
          ...patch,
          enabled,
          disabledReason: enabled ? null : e.enabled ? reason : e.disabledReason,
          failingSince: enabled && !e.enabled ? null : e.failingSince,
          updatedAt: now(),
        }),
        true,
      );
    },
    async remove(id: string) {
      const ids = await redis.zrange(keys.whByEndpoint(id), 0, -1);
      const m = redis.multi().hdel(keys.whEndpoints, id).incr(keys.whVersion).del(keys.whByEndpoint(id), keys.whDueOf(id));
      for (const d of ids) m.zrem(keys.whDue, d).zrem(keys.whAll, d).del(keys.whDelivery(d), keys.whAttempts(d));
      await m.exec();
    },
  };

  return {
    endpoints,
    /** Leases up to `n` due deliveries of one endpoint to this hub for `leaseSeconds`. */
    async claim(endpointId: string, n: number, leaseSeconds: number, t = now()): Promise<ClaimedDelivery[]> {
      const script = redis as unknown as { swClaim(k: string, e: string, ...a: Array<string | number>): Promise<string[]> };
      const ids = await script.swClaim(keys.whDue, keys.whDueOf(endpointId), t, t + leaseSeconds, n);
      if (ids.length === 0) return [];
      const p = redis.pipeline();
      for (const id of ids) p.hmget(keys.whDelivery(id), 'msg', 'ep', 'payload', 'attempts', 'status');
      const rows = (await p.exec()) ?? [];
      const out: ClaimedDelivery[] = [];
      rows.forEach(([, v], i) => {
        const [msg, ep, payload, attempts, status] = v as Array<string | null>;
        if (msg && ep && payload && status === 'pending') out.push({ id: Number(ids[i]), msgId: msg, endpointId: ep, payload, attempts: Number(attempts ?? 0) });
        else void redis.multi().zrem(keys.whDue, ids[i]!).zrem(keys.whDueOf(endpointId), ids[i]!).exec(); // settled or deleted meanwhile
      });
      return out;
    },
    /** Leases one pending delivery whatever its due time: `preferId` if it qualifies, else the earliest. */
    async claimProbe(endpointId: string, preferId: string | undefined, leaseSeconds: number, t = now()): Promise<ClaimedDelivery | undefined> {
      const script = redis as unknown as { swProbe(k: string, e: string, ...a: Array<string | number>): Promise<string | null> };
      const id = await script.swProbe(keys.whDue, keys.whDueOf(endpointId), preferId ?? '', t + leaseSeconds, keys.prefix);
      if (!id) return undefined;
      const [msg, payload, attempts] = await redis.hmget(keys.whDelivery(id), 'msg', 'payload', 'attempts');
      return msg && payload ? { id: Number(id), msgId: msg, endpointId, payload, attempts: Number(attempts ?? 0) } : undefined;
    },
    async releaseBacklog(endpointId: string, t = now()): Promise<number> {
      const script = redis as unknown as { swRelease(k: string, e: string, ...a: Array<string | number>): Promise<number> };
      return await script.swRelease(keys.whDue, keys.whDueOf(endpointId), t, keys.prefix);
    },
    /** Gives leases back: due again at their own next time. */
    async unclaim(deliveries: ReadonlyArray<{ id: number | string; endpointId: string }>): Promise<void> {
      if (deliveries.length === 0) return;
      const nexts = await Promise.all(deliveries.map((d) => redis.hget(keys.whDelivery(d.id), 'next')));
      const m = redis.multi();
      deliveries.forEach((d, i) => {
        const next = nexts[i];
        if (next) m.zadd(keys.whDue, 'XX', next, String(d.id)).zadd(keys.whDueOf(d.endpointId), 'XX', next, String(d.id));
      });
      await m.exec();
    },
    /** Per endpoint: how many deliveries are due now (not leased), and the next future due time or lease end. */
    async dueOf(endpointIds: readonly string[], t = now()): Promise<Array<{ due: number; nextAt: number | undefined }>> {
      const p = redis.pipeline();
      for (const id of endpointIds) p.zcount(keys.whDueOf(id), '-inf', t).zrangebyscore(keys.whDueOf(id), `(${t}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
      const rows = ((await p.exec()) ?? []).map(([error, v]) => {
        if (error) throw error;
        return v;
      });
      return endpointIds.map((_, i) => {
        const next = rows[2 * i + 1] as string[];
        return { due: Number(rows[2 * i]), nextAt: next.length ? Number(next[1]) : undefined };
      });
    },
    async settle(id: number, status: WebhookDeliveryStatus, attempts: number, nextAt: number | null, attempt: WebhookAttempt, code: number | null, error: string | null, endpointId?: string) {
      const ep = endpointId ?? (await redis.hget(keys.whDelivery(id), 'ep'));
      const m = redis
        .multi()
        .hset(keys.whDelivery(id), 'status', status, 'attempts', attempts, 'next', nextAt ?? '', 'code', code ?? '', 'err', error ?? '')
        .rpush(keys.whAttempts(id), JSON.stringify(attempt));
      if (status === 'pending' && nextAt !== null) m.zadd(keys.whDue, nextAt, id);
      else m.zrem(keys.whDue, id);
      if (ep && status === 'pending' && nextAt !== null) m.zadd(keys.whDueOf(ep), nextAt, id);
      else if (ep) m.zrem(keys.whDueOf(ep), id);
      await m.exec();
    },
    async failPending(endpointId: string, reason: string) {
      for (const id of await redis.zrange(keys.whByEndpoint(endpointId), 0, -1)) {
        if ((await redis.hget(keys.whDelivery(id), 'status')) !== 'pending') continue;
        await redis.multi().hset(keys.whDelivery(id), 'status', 'failed', 'err', reason).zrem(keys.whDue, id).zrem(keys.whDueOf(endpointId), id).exec();
      }
    },
    payload: async (id: string) => (await redis.hget(keys.whDelivery(id), 'payload')) ?? undefined,
    async get(id: string): Promise<WebhookDelivery | undefined> {
      const h = await redis.hgetall(keys.whDelivery(id));
      return h.msg ? toDelivery(id, h) : undefined;
    },
    async attempts(id: string): Promise<WebhookAttempt[]> {
      return (await redis.lrange(keys.whAttempts(id), 0, -1)).map((j) => JSON.parse(j) as WebhookAttempt);
    },
    /** Newest first; filters are applied while walking the index (fine for an admin's listing). */
    async list(q: { endpoint?: string; status?: WebhookDeliveryStatus; before?: string; limit: number }): Promise<WebhookDelivery[]> {
      const index = q.endpoint ? keys.whByEndpoint(q.endpoint) : keys.whAll;
      const out: WebhookDelivery[] = [];
      let max = q.before ? `(${q.before}` : '+inf';
      for (;;) {
        const ids = await redis.zrevrangebyscore(index, max, '-inf', 'LIMIT', 0, 200);
        for (const id of ids) {
          const d = await this.get(id);
          if (d && (!q.status || d.status === q.status)) out.push(d);
          if (out.length >= q.limit) return out;
        }
        if (ids.length < 200) return out;
        max = `(${ids.at(-1)}`;
      }
    },
    /** A message that is not in the log (the test event), queued for one endpoint, due now. */
    async enqueueMessage(endpointId: string, msgId: string, type: string, payload: string): Promise<WebhookDelivery> {
      const t = now();
      const id = await redis.incr(keys.whSeq);
      await redis
        .multi()
        .hset(keys.whDelivery(id), 'msg', msgId, 'ep', endpointId, 'ev', '', 'type', type, 'show', '', 'payload', payload, 'status', 'pending', 'attempts', 0, 'next', t, 'created', t)
        .zadd(keys.whDue, t, id)
        .zadd(keys.whDueOf(endpointId), t, id)
        .zadd(keys.whAll, id, id)
        .zadd(keys.whByEndpoint(endpointId), id, id)
        .exec();
      return (await this.get(String(id)))!;
    },
    /** Queues again every failed delivery of an endpoint created at or after `since`; answers how many. */
    async recover(endpointId: string, since: number): Promise<number> {
      const script = redis as unknown as { swRecover(a: string, b: string, ...c: Array<string | number>): Promise<number> };
      return await script.swRecover(keys.whByEndpoint(endpointId), keys.whDue, keys.whDueOf(endpointId), keys.prefix, since, now());
    },
    async redeliver(id: string): Promise<void> {
      const t = now();
      const ep = await redis.hget(keys.whDelivery(id), 'ep');
      const m = redis.multi().hset(keys.whDelivery(id), 'status', 'pending', 'attempts', 0, 'next', t).zadd(keys.whDue, t, id);
      if (ep) m.zadd(keys.whDueOf(ep), t, id);
      await m.exec();
    },
    /**
     * Forgets settled deliveries created before `before`, oldest first, stopping at the first one
     * that is young enough (ids grow with creation time); pending ones stay. Answers how many.
     */
    async prune(before: number): Promise<number> {
      let removed = 0;
      for (;;) {
        const ids = await redis.zrange(keys.whAll, 0, 199);
        const p = redis.pipeline();
        for (const id of ids) p.hmget(keys.whDelivery(id), 'status', 'created', 'ep');
        const rows = ((await p.exec()) ?? []).map(([, v]) => v as Array<string | null>);
        const m = redis.multi();
        let young = false;
        let n = 0;
        for (const [i, [status, created, ep]] of rows.entries()) {
          if (created !== null && Number(created) >= before) {
            young = true;
            break;
          }
          if (status === 'pending') continue;
          const id = ids[i]!;
          m.zrem(keys.whAll, id).del(keys.whDelivery(id), keys.whAttempts(id));
          if (ep) m.zrem(keys.whByEndpoint(ep), id);
          n++;
        }
        if (n > 0) await m.exec();
        else m.discard();
        removed += n;
        if (young || ids.length < 200 || n === 0) return removed;
      }
    },
    async stats(): Promise<{ depth: number; oldest: number | null }> {
      const depth = await redis.zcard(keys.whDue);
      const [first] = await redis.zrange(keys.whDue, 0, 0);
      const created = first ? await redis.hget(keys.whDelivery(first), 'created') : null;
      return { depth, oldest: created ? Number(created) : null };
    },
  };
}
