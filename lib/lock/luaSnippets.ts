/**
 * Lua fragments shared by the lock scripts. The lock value is `<expiresAtMs>:<fence>:<token>`: the expiry
 * timestamp of the classic scheme, the fencing token of this acquisition, and the owner's random token.
 */

/**
 * Sets the local `now` (epoch ms) from ARGV[argIndex], or from Redis `TIME` when that argument is negative
 * (the `clock: 'redis'` option). `replicate_commands` lets a script that read TIME still write on servers
 * older than Redis 5; from Redis 5 on it is a no-op.
 */
export function nowLua(argIndex: number): string {
  return `
local now = tonumber(ARGV[${argIndex}])
if now < 0 then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`;
}

/** Lua pattern that splits a lock value into expiresAt, fence and token. */
export const LOCK_VALUE_PATTERN = `'^(%d+):(%d+):([%w_%-]+)$'`;

/**
 * The resource's wait list, shared by the acquire, release and abandon scripts: `list` (a Lua expression
 * naming a key, such as `KEYS[3]`) holds waiter tokens in arrival order, `hash` maps each token to
 * `<registeredUntilMs>:<wake channel>`. Defines:
 *
 * - `pruneWaiters(now)`: drops waiters at the head whose registration ran out, so a crashed or departed
 *   waiter blocks the others at most until then;
 * - `headWaiter()`: the first waiter's token (after pruning: a live one), or false;
 * - `headRegisteredUntil()`: when the head's registration ends;
 * - `enqueueWaiter(token, now, registrationMs, channel)`: appends the token, or refreshes its registration;
 * - `dequeueWaiter(token)`: removes the token;
 * - `wakeHead()`: publishes the head's token on the head's channel (when it gave one); 1 if it did;
 * - `handOver(now, successor, registrationMs, channel)`: after a release, puts the releasing process's
 *   next waiter in line (so it need not ask) and wakes the head.
 *
 * Only the head may take a free or expired lock, so the lock goes to waiters in the order they arrived,
 * across processes. Safety never depends on a wake-up arriving: every waiter also tries again on its own.
 */
export function waitListLua(list: string, hash: string): string {
  return `
local function pruneWaiters(now)
  for _ = 1, 16 do
    local head = redis.call('LINDEX', ${list}, 0)
    if not head then return end
    local entry = redis.call('HGET', ${hash}, head)
    local registeredUntil = entry and tonumber(string.match(entry, '^(%d+):'))
    if registeredUntil and registeredUntil >= now then return end
    redis.call('LPOP', ${list})
    redis.call('HDEL', ${hash}, head)
  end
end
local function headWaiter()
  return redis.call('LINDEX', ${list}, 0)
end
local function headRegisteredUntil()
  local head = redis.call('LINDEX', ${list}, 0)
  local entry = head and redis.call('HGET', ${hash}, head)
  return entry and tonumber(string.match(entry, '^(%d+):')) or 0
end
local function enqueueWaiter(token, now, registrationMs, channel)
  if redis.call('HSET', ${hash}, token, string.format('%d:%s', now + registrationMs, channel)) == 1 then
    -- New in line. Both keys outlive every registration in them (a waiter renews before its own ends).
    redis.call('RPUSH', ${list}, token)
    redis.call('PEXPIRE', ${list}, 2 * registrationMs)
    redis.call('PEXPIRE', ${hash}, 2 * registrationMs)
  end
end
local function dequeueWaiter(token)
  if redis.call('HDEL', ${hash}, token) == 1 then redis.call('LREM', ${list}, 1, token) end
end
local function wakeHead()
  local head = redis.call('LINDEX', ${list}, 0)
  if not head then return 0 end
  local entry = redis.call('HGET', ${hash}, head)
  local channel = entry and string.match(entry, '^%d+:(.+)$')
  if not channel then return 0 end
  redis.call('PUBLISH', channel, head)
  return 1
end
-- After a release: puts the releaser's own next waiter (if any) in line, then wakes the head. Returns 1
-- nobody to wake, 2 a waiter was woken through its channel, 3 the head is that next waiter (its own
-- process wakes it; nothing is published).
local function handOver(now, successor, registrationMs, channel)
  if successor ~= '' then enqueueWaiter(successor, now, registrationMs, channel) end
  pruneWaiters(now)
  local head = headWaiter()
  if not head then return 1 end
  if head == successor then return 3 end
  return 1 + wakeHead()
end`;
}
