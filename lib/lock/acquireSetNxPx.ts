import type { AcquireReply } from './acquireAttempt.ts';
import { createScript } from './createScript.ts';
import { nowLua } from './luaSnippets.ts';

/**
 * The modern scheme: `SET key value NX PX ttl`, with expiry enforced by Redis itself (no client clock is
 * compared, so `driftMs` is unused and a takeover is never observed: Redis simply deletes the key). Run as
 * a script only so that the fencing counter advances atomically with the SET.
 *
 * KEYS[1] lock key, KEYS[2] fence counter.
 * ARGV[1] owner token, ARGV[2] ttl ms, ARGV[3] drift ms (unused), ARGV[4] now ms (negative: Redis TIME),
 * ARGV[5] unused (the key's PX is the ttl).
 * Returns an {@link AcquireReply}.
 */
export const acquireSetNxPx = createScript<AcquireReply>(`${nowLua(4)}
local ttl = tonumber(ARGV[2])
local fence = (tonumber(redis.call('GET', KEYS[2])) or 0) + 1
local expiresAt = now + ttl
local value = string.format('%d:%d:%s', expiresAt, fence, ARGV[1])

if redis.call('SET', KEYS[1], value, 'NX', 'PX', ttl) then
  -- Free: ours.
  redis.call('SET', KEYS[2], fence)
  return {1, value, fence, expiresAt, 0}
end

local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  -- A key without expiry was not written by this strategy: refuse to judge it.
  return {-1}
end
-- Held: Redis frees it in pttl ms at the latest.
return {0, pttl + 1}
`);
