/**
 * The Redis log's writes, as Lua scripts: Redis runs a script whole, with nothing interleaved, so
 * an append's id, its entries in the global and per-show streams and its idempotency key are
 * stored together or not at all. Every key shares the `{…}` hash tag of the prefix, so in Redis
 * Cluster they sit in one slot and the scripts stay legal (Cluster is for availability here, not
 * for sharding the log).
 *
 * Keys: `epoch` (string), `seq` (counter), `log` (global stream), `shows` (set of show ids),
 * `show:<id>` (the show's stream: same entry ids as in `log`), `eids:<id>` (hash eventId → seq),
 * `pruned` (hash show → highest seq retention deleted; `*` for any show).
 * Entry ids are `<seq>-0`; the hub's event id is `<epoch>-<seq>`.
 */

/**
 * KEYS: epoch, seq, log, shows, webhook endpoints hash, delivery counter, due zset, all-deliveries
 * zset, then per event: show stream, show's eids hash.
 * ARGV: epoch, n, now, key prefix, then per event: show, eventId ('' for none), type, receivedAt, JSON body
 * without the id (`{"show":…}`; the script puts `"id"` first, as the SQLite log does).
 * Answers per event `{seq, json}` for a new event or `{seq, json, 1}` for a retry of an eventId.
 * Each new event gets its webhook deliveries (webhooks/redis-outbox.ts) in the same script: one
 * per enabled endpoint whose filters match, due now; so an acknowledged event has its deliveries.
 * Fails with EPOCH when the epoch key is not this log's: Redis lost its data (no persistence) or
 * was swapped; writing on would hand out ids another history already used.
 */
export const APPEND = `
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then
  return redis.error_reply('EPOCH the log in Redis has epoch ' .. tostring(epoch) .. ', not ' .. ARGV[1] .. ' (Redis lost or replaced its data); restart the hub')
end
local n = tonumber(ARGV[2])
local now, prefix = ARGV[3], ARGV[4]
local out = {}
local batch = {}
local endpoints = {}
local raw = redis.call('HGETALL', KEYS[5])
for k = 2, #raw, 2 do
  local ep = cjson.decode(raw[k])
  if ep.enabled then endpoints[#endpoints + 1] = ep end
end
-- A filter that is JSON null (cjson.null, not a table) lets everything through.
local function allows(list, v)
  if type(list) ~= 'table' then return true end
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end
for i = 0, n - 1 do
  local a = 5 + i * 5
  local show, eid, typ, ra, body = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local sk, ek = KEYS[9 + i * 2], KEYS[10 + i * 2]
  local earlier = nil
  if eid ~= '' then
    earlier = batch[show .. '\\0' .. eid]
    if not earlier then
      local seq = redis.call('HGET', ek, eid)
      if seq then
        local e = redis.call('XRANGE', sk, seq .. '-0', seq .. '-0')
        if e[1] then
          local f = e[1][2]
          for k = 1, #f, 2 do if f[k] == 'j' then earlier = {tonumber(seq), f[k + 1]} end end
        end
      end
    end
  end
  if earlier then
    out[#out + 1] = {earlier[1], earlier[2], 1}
  else
    local seq = redis.call('INCR', KEYS[2])
    local sid = string.format('%d-0', seq)
    local json = '{"id":"' .. ARGV[1] .. '-' .. string.format('%d', seq) .. '",' .. string.sub(body, 2)
    redis.call('XADD', KEYS[3], sid, 's', show, 't', typ, 'r', ra, 'e', eid, 'j', json)
    redis.call('XADD', sk, sid, 't', typ, 'r', ra, 'e', eid, 'j', json)
    redis.call('SADD', KEYS[4], show)
    if eid ~= '' then
      redis.call('HSET', ek, eid, seq)
      batch[show .. '\\0' .. eid] = {seq, json}
    end
    local id = ARGV[1] .. '-' .. string.format('%d', seq)
    for _, ep in ipairs(endpoints) do
      if allows(ep.types, typ) and allows(ep.shows, show) then
        local did = redis.call('INCR', KEYS[6])
        redis.call('HSET', prefix .. 'wh:d:' .. did, 'msg', 'msg_' .. id, 'ep', ep.id, 'ev', id, 'type', typ, 'show', show,
          'payload', json, 'status', 'pending', 'attempts', 0, 'next', now, 'created', now)
        redis.call('ZADD', KEYS[7], now, did)
        redis.call('ZADD', prefix .. 'wh:due:' .. ep.id, now, did)
        redis.call('ZADD', KEYS[8], did, did)
        redis.call('ZADD', prefix .. 'wh:ep:' .. ep.id, did, did)
      end
    end
    out[#out + 1] = {seq, json}
  end
end
return out
`;

/**
 * Deletes events from the log, the show's streams and the idempotency hashes, and notes how far
 * retention went per show. KEYS: log, pruned, then per event: show stream, show's eids hash.
 * ARGV: n, then per event: seq, show, eventId ('' for none). Answers how many were deleted.
 */
export const DELETE = `
local n = tonumber(ARGV[1])
local deleted = 0
local top = {}
local any = 0
for i = 0, n - 1 do
  local seq, show, eid = tonumber(ARGV[2 + i * 3]), ARGV[3 + i * 3], ARGV[4 + i * 3]
  local sid = string.format('%d-0', seq)
  local sk, ek = KEYS[3 + i * 2], KEYS[4 + i * 2]
  deleted = deleted + redis.call('XDEL', sk, sid)
  redis.call('XDEL', KEYS[1], sid)
  if eid ~= '' then
    -- Only if it still points at this event (a later retry after pruning stored a new one).
    if tonumber(redis.call('HGET', ek, eid)) == seq then redis.call('HDEL', ek, eid) end
  end
  if (top[show] or 0) < seq then top[show] = seq end
  if any < seq then any = seq end
end
for show, seq in pairs(top) do
  local was = tonumber(redis.call('HGET', KEYS[2], show) or '0')
  if was < seq then redis.call('HSET', KEYS[2], show, seq) end
end
local was = tonumber(redis.call('HGET', KEYS[2], '*') or '0')
if was < any then redis.call('HSET', KEYS[2], '*', any) end
return deleted
`;
