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
 * One script call appends the events of several requests (the appends that reached this hub while
 * its previous call was in flight, redis-append-batch.ts): one round trip for all of them, and
 * their ids still strictly increasing in the order the hub queued them, across every hub.
 * KEYS: epoch, seq, log, shows, then per request: per event its show stream and show's eids hash,
 * then the request's append hook keys. ARGV: epoch, number of requests, then per request: its
 * event count, hook key count, hook argument count, then per event: show, eventId ('' for none),
 * type, receivedAt, JSON body without the id (`{"show":…}`; the script puts `"id"` first, as the
 * SQLite log does), then the hook's arguments.
 * Answers one entry per request: per event `{seq, json}` for a new event or `{seq, json, 1}` for a
 * retry of an eventId (stored earlier, or by an earlier request of the same call), or a string when
 * that request was not appended: `HOOK <reason>` when its hook refused (nothing of it was written;
 * the log asks the hook again and retries), `ERR <message>` when a command of it failed. Requests
 * fail alone: the others of the call are appended all the same.
 * The hook (RedisAppendHook in redis-log.ts) is Lua a feature hands the log, run per request in
 * the same script so what it writes per new event commits with the event: `append_hook(keys, argv)`
 * answers a function `(i, id, show, type, json)` called for each new event (i from 0), or nil and a
 * reason to refuse the request before anything of it is written.
 * Fails whole with EPOCH when the epoch key is not this log's: Redis lost its data (no persistence)
 * or was swapped; writing on would hand out ids another history already used.
 */
export const NO_APPEND_HOOK = 'local function append_hook() return nil end';

export const appendScript = (hook: string) => `
${hook}
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then
  return redis.error_reply('EPOCH the log in Redis has epoch ' .. tostring(epoch) .. ', not ' .. ARGV[1] .. ' (Redis lost or replaced its data); restart the hub')
end
-- eventId -> {seq, json} of what this call stored: a duplicate in a later request of the same call is a retry too.
local batch = {}
local function append_request(n, kc, ac, hook_keys, hook_args)
  local on_event, refused = append_hook(hook_keys, hook_args)
  if refused then return 'HOOK ' .. refused end
  local out = {}
  for i = 0, n - 1 do
    local a = ac + i * 5
    local show, eid, typ, ra, body = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
    local sk, ek = KEYS[kc + i * 2], KEYS[kc + 1 + i * 2]
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
      local id = ARGV[1] .. '-' .. string.format('%d', seq)
      local json = '{"id":"' .. id .. '",' .. string.sub(body, 2)
      redis.call('XADD', KEYS[3], sid, 's', show, 't', typ, 'r', ra, 'e', eid, 'j', json)
      redis.call('XADD', sk, sid, 't', typ, 'r', ra, 'e', eid, 'j', json)
      redis.call('SADD', KEYS[4], show)
      if eid ~= '' then
        redis.call('HSET', ek, eid, seq)
        batch[show .. '\\0' .. eid] = {seq, json}
      end
      if on_event then on_event(i, id, show, typ, json) end
      out[#out + 1] = {seq, json}
    end
  end
  return out
end
local answers = {}
local kc, ac = 5, 3
for r = 1, tonumber(ARGV[2]) do
  local n, hk, ha = tonumber(ARGV[ac]), tonumber(ARGV[ac + 1]), tonumber(ARGV[ac + 2])
  ac = ac + 3
  local hook_keys, hook_args = {}, {}
  for k = kc + 2 * n, kc + 2 * n + hk - 1 do hook_keys[#hook_keys + 1] = KEYS[k] end
  for k = ac + 5 * n, ac + 5 * n + ha - 1 do hook_args[#hook_args + 1] = ARGV[k] end
  local ok, answer = pcall(append_request, n, kc, ac, hook_keys, hook_args)
  if not ok then
    answer = 'ERR ' .. (type(answer) == 'table' and tostring(answer.err) or tostring(answer))
  end
  answers[r] = answer
  kc = kc + 2 * n + hk
  ac = ac + 5 * n + ha
end
return answers
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
