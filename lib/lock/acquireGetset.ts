import type { AcquireReply } from './acquireAttempt.ts';
import { createScript } from './createScript.ts';
import { LOCK_VALUE_PATTERN, nowLua, waitListLua } from './luaSnippets.ts';

/**
 * The classic timestamp + GETSET scheme (the old Redis SETNX documentation, "Handling deadlocks"), with the
 * three steps run atomically in one script, in the order waiters arrived.
 *
 * Why one script: run from the client, several contenders that all see the same expired value all issue
 * GETSET; every loser overwrites the winner's value and must then put something back, and with three or
 * more contenders "put back what I displaced" restores a loser's value, not the winner's. Inside a script
 * nothing runs between GET and GETSET, so there is no loser to unwind, and it is one round trip, not three.
 *
 *   client A  ──EVALSHA──►  [ SETNX → GET → (expired?) GETSET ]  atomic on the server
 *   client B  ──EVALSHA──►                                      [ SETNX → GET → held: wait in line ]
 *
 * Repeat-safe: an attempt whose token already holds the lock (the same command run twice, because its
 * reply was lost and the client sent it again) returns that lease, fence unchanged. Fair: a free or expired
 * lock goes only to the first live waiter of the wait list (see waitListLua); a waiter that is not first
 * joins the list when ARGV[6] is '1'.
 *
 * KEYS[1] lock key, KEYS[2] fence counter, KEYS[3] wait list, KEYS[4] waiters.
 * ARGV[1] owner token, ARGV[2] ttl ms, ARGV[3] drift ms, ARGV[4] now ms (negative: Redis TIME),
 * ARGV[5] garbage-collection expiry ms for the key (never shorter than ttl + drift; correctness does not
 * depend on it, it only keeps abandoned keys from piling up), ARGV[6] '1' to wait in line, '0' for a single
 * try, ARGV[7] how long a place in line lasts unless renewed, ms, ARGV[8] the waiter's wake-up channel
 * ('' for none).
 * Returns an {@link AcquireReply}.
 */
export const acquireGetset = createScript<AcquireReply>(`${nowLua(4)}
${waitListLua('KEYS[3]', 'KEYS[4]')}
local token, ttl, drift, gc = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])

local current = redis.call('GET', KEYS[1])
local holderExpiresAt
if current then
  local expiresAtText, fenceText, holderToken = string.match(current, ${LOCK_VALUE_PATTERN})
  if not expiresAtText then
    -- Not a value this library wrote: refuse to judge it.
    return {-1}
  end
  holderExpiresAt = tonumber(expiresAtText)
  if holderToken == token and holderExpiresAt > now then
    -- This attempt already won (its reply was lost and the command sent again): the same lease.
    dequeueWaiter(token)
    return {1, current, tonumber(fenceText), holderExpiresAt, 0}
  end
end

local function waitInLine(retryInMs)
  if ARGV[6] == '1' then enqueueWaiter(token, now, tonumber(ARGV[7]), ARGV[8]) end
  return {0, retryInMs}
end
if current and holderExpiresAt + drift >= now then
  -- Live (or within the drift margin): when a takeover becomes possible.
  return waitInLine(holderExpiresAt + drift - now + 1)
end
pruneWaiters(now)
local head = headWaiter()
if head and head ~= token then
  -- Free or expired, but an earlier waiter goes first (its registration ends by then at the latest):
  -- make sure it knows (a lease that ran out woke nobody).
  wakeHead()
  return waitInLine(math.max(1, headRegisteredUntil() - now + 1))
end

local fence = (tonumber(redis.call('GET', KEYS[2])) or 0) + 1
local expiresAt = now + ttl
local value = string.format('%d:%d:%s', expiresAt, fence, token)
local takeover = 0
if current then
  -- Step 3: expired. GETSET our value; the old value is the expired one we just read (nothing ran in
  -- between), so the takeover is ours.
  redis.call('GETSET', KEYS[1], value)
  takeover = 1
else
  -- Step 1: SETNX. The lock is free: it is ours, with the next fencing token.
  redis.call('SETNX', KEYS[1], value)
end
redis.call('PEXPIRE', KEYS[1], gc)
redis.call('SET', KEYS[2], fence)
dequeueWaiter(token)
return {1, value, fence, expiresAt, takeover}
`);
