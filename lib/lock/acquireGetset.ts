import type { AcquireReply } from './acquireAttempt.ts';
import { createScript } from './createScript.ts';
import { LOCK_VALUE_PATTERN, nowLua } from './luaSnippets.ts';

/**
 * The classic timestamp + GETSET scheme (the old Redis SETNX documentation, "Handling deadlocks"), with the
 * three steps run atomically in one script.
 *
 * Why one script: run from the client, several contenders that all see the same expired value all issue
 * GETSET; every loser overwrites the winner's value and must then put something back, and with three or
 * more contenders "put back what I displaced" restores a loser's value, not the winner's. Inside a script
 * nothing runs between GET and GETSET, so there is no loser to unwind, and it is one round trip, not three.
 *
 *   client A  ──EVALSHA──►  [ SETNX → GET → (expired?) GETSET ]  atomic on the server
 *   client B  ──EVALSHA──►                                      [ SETNX → GET → held: {0, wait} ]
 *
 * KEYS[1] lock key, KEYS[2] fence counter.
 * ARGV[1] owner token, ARGV[2] ttl ms, ARGV[3] drift ms, ARGV[4] now ms (negative: Redis TIME),
 * ARGV[5] garbage-collection expiry ms for the key (never shorter than ttl + drift; correctness does not
 * depend on it, it only keeps abandoned keys from piling up).
 * Returns an {@link AcquireReply}.
 */
export const acquireGetset = createScript<AcquireReply>(`${nowLua(4)}
local ttl, drift, gc = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[5])
local fence = (tonumber(redis.call('GET', KEYS[2])) or 0) + 1
local expiresAt = now + ttl
local value = string.format('%d:%d:%s', expiresAt, fence, ARGV[1])

-- Step 1: SETNX. The lock is free: it is ours, with the next fencing token.
if redis.call('SETNX', KEYS[1], value) == 1 then
  redis.call('PEXPIRE', KEYS[1], gc)
  redis.call('SET', KEYS[2], fence)
  return {1, value, fence, expiresAt, 0}
end

-- Step 2: held. Read the holder's expiry timestamp.
local current = redis.call('GET', KEYS[1])
local holderExpiresAt = string.match(current, ${LOCK_VALUE_PATTERN})
if not holderExpiresAt then
  -- Not a value this library wrote: refuse to judge it.
  return {-1}
end
holderExpiresAt = tonumber(holderExpiresAt)
if holderExpiresAt + drift >= now then
  -- Live (or within the drift margin): tell the caller when a takeover becomes possible.
  return {0, holderExpiresAt + drift - now + 1}
end

-- Step 3: expired. GETSET our value; the old value is the expired one we just read (nothing ran in
-- between), so the takeover is ours.
redis.call('GETSET', KEYS[1], value)
redis.call('PEXPIRE', KEYS[1], gc)
redis.call('SET', KEYS[2], fence)
return {1, value, fence, expiresAt, 1}
`);
