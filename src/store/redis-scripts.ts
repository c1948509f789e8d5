/**
 * The Redis store's Lua scripts, one per operation (the key layout is in redis-store.ts). Each
 * write script is one atomic step: Redis runs nothing else meanwhile, and since a Lua script
 * is not rolled back on an error, every check that can refuse a write (a full queue, a missing
 * group) comes before its first write command. The `#!lua` line declares the flags (Redis 7):
 * a write script without `allow-oom` is refused whole, before it runs, while Redis is over
 * maxmemory (OOM) or refusing writes (MISCONF), so a refused write stores nothing; a read
 * script (`no-writes`) still runs then.
 */

const WRITE = '#!lua\n';
const READ = '#!lua flags=no-writes\n';

/** Returned by a script that refused: the receiver's queue is full, or there is no such group. */
export const REFUSED = -1;

/**
 * Upsert of a member as SQLite's: a new one gets the next position, an existing one keeps its
 * position and inviter and takes the new state. Values are JSON [position, state, invitedBy].
 */
const UPSERT_MEMBER = `
local function upsert(meta, members, user, state, by)
  local cur = redis.call('HGET', members, user)
  local r
  if cur then
    r = cjson.decode(cur)
    r[2] = state
  else
    r = {redis.call('HINCRBY', meta, 'pos', 1), state, by == '' and cjson.null or by}
  end
  redis.call('HSET', members, user, cjson.encode(r))
end
`;

/** Numbers and their records: one HMGET each 1000 numbers. */
const RECORDS_OF = `
local function records(hash, ids)
  local values = {}
  for i = 1, #ids, 1000 do
    local chunk = redis.call('HMGET', hash, unpack(ids, i, math.min(i + 999, #ids)))
    for _, v in ipairs(chunk) do values[#values + 1] = v end
  end
  return {ids, values}
end
`;

/**
 * The position of the first number above `after` in an index (a list of numbers in
 * ascending order), by binary search: log repair and the merged view start mid-list.
 */
const FIRST_ABOVE = `
local function first_above(list, after)
  local lo, hi = 0, redis.call('LLEN', list)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if tonumber(redis.call('LINDEX', list, mid)) <= after then lo = mid + 1 else hi = mid end
  end
  return lo
end
`;

export const SCRIPTS = {
  /**
   * KEYS dm:last, dm, dp:<pair>, dn:<node>, ud:<to>, and when queued qid, q:<to>; ARGV record,
   * floor, maxQueued, and when queued the event's JSON up to its id. Returns the number, or
   * REFUSED (queue full). Commands: INCR, HSET, 3 RPUSH, LTRIM; queued +LLEN, INCR, RPUSH.
   * Each index gets the number at its end, and numbers only grow: every index is ascending.
   */
  addDirect: `${WRITE}
local max = tonumber(ARGV[3])
local queued = #KEYS > 5
if queued and redis.call('LLEN', KEYS[7]) >= max then return ${REFUSED} end
local n = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[2])
if n <= floor then
  n = floor + 1
  redis.call('SET', KEYS[1], n)
end
redis.call('HSET', KEYS[2], n, ARGV[1])
redis.call('RPUSH', KEYS[3], n)
redis.call('RPUSH', KEYS[4], n)
redis.call('RPUSH', KEYS[5], n)
redis.call('LTRIM', KEYS[5], -math.max(max, 1), -1)
if queued then
  redis.call('RPUSH', KEYS[7], redis.call('INCR', KEYS[6]) .. ':' .. ARGV[4] .. n .. '}')
end
return n`,

  /** KEYS dm:last; ARGV floor. The counter rises to the floor, never falls. */
  raiseDirect: `${WRITE}
local floor = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < floor then redis.call('SET', KEYS[1], floor) end
return 0`,

  /**
   * KEYS g:<group>, gr:<group>, gn:<group>|<node>, qid, q:<member>...; ARGV record, queued
   * event's JSON, maxQueued. Returns the number, or REFUSED (no such group).
   * Commands: EXISTS, HINCRBY, HSET, RPUSH; with offline members +INCRBY and LLEN, RPUSH each.
   */
  addGroupMessage: `${WRITE}
if redis.call('EXISTS', KEYS[1]) == 0 then return ${REFUSED} end
local n = redis.call('HINCRBY', KEYS[1], 'last', 1)
redis.call('HSET', KEYS[2], n, ARGV[1])
redis.call('RPUSH', KEYS[3], n)
if #KEYS > 4 then
  local max = tonumber(ARGV[3])
  local id = redis.call('INCRBY', KEYS[4], #KEYS - 4)
  for i = 5, #KEYS do
    if redis.call('LLEN', KEYS[i]) < max then
      redis.call('RPUSH', KEYS[i], (id - #KEYS + i) .. ':' .. ARGV[2])
    end
  end
end
return n`,

  /**
   * KEYS g:<group>, gm:<group>, groups; ARGV creator, createdAt, name, then (username, state,
   * invitedBy or '') per member. Returns 1, or 0 when the name is taken (nothing written).
   */
  createGroup: `${WRITE}${UPSERT_MEMBER}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'creator', ARGV[1], 'createdAt', ARGV[2], 'last', 0, 'pos', 0)
redis.call('RPUSH', KEYS[3], ARGV[3])
for i = 4, #ARGV, 3 do upsert(KEYS[1], KEYS[2], ARGV[i], ARGV[i + 1], ARGV[i + 2]) end
return 1`,

  /** KEYS g:<group>, gm:<group>; ARGV username, state, invitedBy or ''. REFUSED: no group. */
  setMember: `${WRITE}${UPSERT_MEMBER}
if redis.call('EXISTS', KEYS[1]) == 0 then return ${REFUSED} end
upsert(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 1`,

  /** KEYS qid, q:<user>; ARGV event JSON, maxQueued. Dropped when the queue is full. */
  enqueue: `${WRITE}
if redis.call('LLEN', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('RPUSH', KEYS[2], redis.call('INCR', KEYS[1]) .. ':' .. ARGV[1])
end
return 0`,

  /**
   * KEYS q:<user>; ARGV limit, ackThrough ('' = none). Entries are '<id>:<event JSON>' in id
   * order, so the acknowledged ones are a prefix. Returns {entries, how many are after them}.
   */
  takeQueue: `${WRITE}
local q = KEYS[1]
local limit = tonumber(ARGV[1])
if ARGV[2] ~= '' then
  local ack = tonumber(ARGV[2])
  while true do
    local head = redis.call('LRANGE', q, 0, 99)
    local k = 0
    for i, e in ipairs(head) do
      if tonumber(string.match(e, '^%d+')) > ack then break end
      k = i
    end
    if k > 0 then redis.call('LTRIM', q, k, -1) end
    if k < 100 then break end
  end
end
local rows = {}
if limit > 0 then rows = redis.call('LRANGE', q, 0, limit - 1) end
local left = redis.call('LLEN', q) - #rows
if ARGV[2] == '' and #rows > 0 then redis.call('LTRIM', q, #rows, -1) end
return {rows, left}`,

  /**
   * KEYS dm, ud:<to>; ARGV n, to, at. Returns nil (no such message to `to`), or {record,
   * 1 if marked now | 0 if it had been}. A record ends with its deliveredAt, so the mark
   * replaces the final "null]". The undelivered index is in sending order and clients confirm
   * in about that order, so LREM finds the number near the head.
   */
  markDelivered: `${WRITE}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return false end
local r = cjson.decode(v)
if r[3] ~= ARGV[2] then return false end
if r[6] ~= cjson.null then return {v, 0} end
v = string.sub(v, 1, -6) .. ARGV[3] .. ']'
redis.call('HSET', KEYS[1], ARGV[1], v)
redis.call('LREM', KEYS[2], 1, ARGV[1])
return {v, 1}`,

  /** KEYS blocks, blocks:seq; ARGV JSON [owner, other], '1' block | '0' unblock. */
  setBlocked: `${WRITE}
if ARGV[2] == '0' then
  redis.call('ZREM', KEYS[1], ARGV[1])
elseif not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[1])
end
return 0`,

  /**
   * KEYS an index (list of numbers), its records (hash); ARGV start, stop (LRANGE positions,
   * negative from the end). Returns {numbers, records}.
   */
  listRange: `${READ}${RECORDS_OF}
return records(KEYS[2], redis.call('LRANGE', KEYS[1], ARGV[1], ARGV[2]))`,

  /** KEYS an index, its records; ARGV after, limit. The first `limit` numbers above `after`. */
  listAfter: `${READ}${RECORDS_OF}${FIRST_ABOVE}
local from = first_above(KEYS[1], tonumber(ARGV[1]))
return records(KEYS[2], redis.call('LRANGE', KEYS[1], from, from + tonumber(ARGV[2]) - 1))`,

  /**
   * KEYS dm:nodes, dm; ARGV after, limit, prefix. Every node's direct messages above
   * `after`, merged in number order. Returns {numbers, records}.
   */
  allDirectAfter: `${READ}${RECORDS_OF}${FIRST_ABOVE}
local after, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local all = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local list = ARGV[3] .. 'dn:' .. node
  local from = first_above(list, after)
  for _, id in ipairs(redis.call('LRANGE', list, from, from + limit - 1)) do
    all[#all + 1] = tonumber(id)
  end
end
table.sort(all)
local ids = {}
for i = 1, math.min(limit, #all) do ids[i] = all[i] end
return records(KEYS[2], ids)`,

  /**
   * KEYS g:<group>, gr:<group>; ARGV 'tail' (the last `limit`) or 'after' (numbers above
   * ARGV[2]), ARGV[2], limit. A group's numbers have no gaps, so this is one HMGET range.
   * Returns {numbers, records}.
   */
  groupRange: `${READ}${RECORDS_OF}
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local limit = tonumber(ARGV[3])
local from = tonumber(ARGV[2]) + 1
if ARGV[1] == 'tail' then from = math.max(1, last - limit + 1) end
local ids = {}
for n = from, math.min(last, from + limit - 1) do ids[#ids + 1] = n end
return records(KEYS[2], ids)`,

  /**
   * KEYS groups, blocks, seen; ARGV prefix. Returns {{name, {creator, createdAt}, members
   * as HGETALL}..., blocks (JSON pairs in order), seen as HGETALL}.
   */
  load: `${READ}
local groups = {}
for i, name in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  groups[i] = {
    name,
    redis.call('HMGET', ARGV[1] .. 'g:' .. name, 'creator', 'createdAt'),
    redis.call('HGETALL', ARGV[1] .. 'gm:' .. name),
  }
end
return {groups, redis.call('ZRANGE', KEYS[2], 0, -1), redis.call('HGETALL', KEYS[3])}`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
