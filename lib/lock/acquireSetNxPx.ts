import type { AcquireReply } from './acquireAttempt.ts';
import { createScript } from './createScript.ts';
import { LOCK_VALUE_PATTERN, nowLua, waitListLua } from './luaSnippets.ts';

/**
 * The modern scheme: `SET key value NX PX ttl`, with expiry enforced by Redis itself (no client clock is
 * compared, so `driftMs` is unused and a takeover is never observed: Redis simply deletes the key). Run as
 * a script so that the fencing counter advances atomically with the SET, the attempt is repeat-safe (the
 * token that holds the key gets its lease back), and a free lock goes to the first waiter in line (see
 * acquireGetset).
 *
 * KEYS[1] lock key, KEYS[2] fence counter, KEYS[3] wait list, KEYS[4] waiters.
 * ARGV[1] owner token, ARGV[2] ttl ms, ARGV[3] drift ms (unused), ARGV[4] now ms (negative: Redis TIME),
 * ARGV[5] unused (the key's PX is the ttl), ARGV[6..8] as for acquireGetset.
 * Returns an {@link AcquireReply}.
 */
export const acquireSetNxPx = createScript<AcquireReply>(`${nowLua(4)}
${waitListLua('KEYS[3]', 'KEYS[4]')}
local token, ttl = ARGV[1], tonumber(ARGV[2])

local function waitInLine(retryInMs)
  if ARGV[6] == '1' then enqueueWaiter(token, now, tonumber(ARGV[7]), ARGV[8]) end
  return {0, retryInMs}
end
local current = redis.call('GET', KEYS[1])
if current then
  local pttl = redis.call('PTTL', KEYS[1])
  local expiresAtText, fenceText, holderToken = string.match(current, ${LOCK_VALUE_PATTERN})
  if pttl < 0 or not expiresAtText then
    -- A key without expiry, or a value, this strategy did not write: refuse to judge it.
    return {-1}
  end
  if holderToken == token then
    -- This attempt already won (its reply was lost and the command sent again): the same lease.
    dequeueWaiter(token)
    return {1, current, tonumber(fenceText), tonumber(expiresAtText), 0}
  end
  -- Held: Redis frees it in pttl ms at the latest.
  return waitInLine(pttl + 1)
end
pruneWaiters(now)
local head = headWaiter()
if head and head ~= token then
  -- Free, but an earlier waiter goes first: make sure it knows (a lease that ran out woke nobody).
  wakeHead()
  return waitInLine(math.max(1, headRegisteredUntil() - now + 1))
end

local fence = (tonumber(redis.call('GET', KEYS[2])) or 0) + 1
local expiresAt = now + ttl
local value = string.format('%d:%d:%s', expiresAt, fence, token)
redis.call('SET', KEYS[1], value, 'PX', ttl)
redis.call('SET', KEYS[2], fence)
dequeueWaiter(token)
return {1, value, fence, expiresAt, 0}
`);
