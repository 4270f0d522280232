import { createScript } from './createScript.ts';
import { LOCK_VALUE_PATTERN, nowLua } from './luaSnippets.ts';

/**
 * Compare-and-set extension: while the lock carries our token and has not expired, rewrite its expiry
 * timestamp (same fence, same token) and its key expiry.
 *
 * An expired lease is refused even when nobody has taken it over yet: a lease, once expired, is dead for
 * every operation (extend, fenced writes), so "it still looked free" never revives a stalled holder.
 *
 * KEYS[1] lock key. ARGV[1] owner token, ARGV[2] ttl ms, ARGV[3] now ms (negative: Redis TIME),
 * ARGV[4] key expiry ms (the ttl for set-nx-px, the garbage-collection expiry for getset).
 * Returns `{1, value, expiresAt}` extended, `{-1}` not ours (or gone), `{-2}` ours but expired.
 */
export const extendLease = createScript<[1, string, number] | [-1] | [-2]>(`${nowLua(3)}
local current = redis.call('GET', KEYS[1])
if not current then
  return {-1}
end
local expiresAt, fence, token = string.match(current, ${LOCK_VALUE_PATTERN})
if token ~= ARGV[1] then
  -- Taken over by someone else.
  return {-1}
end
if tonumber(expiresAt) <= now then
  -- Ours, but the lease already ended.
  return {-2}
end
local newExpiresAt = now + tonumber(ARGV[2])
local value = string.format('%d:%s:%s', newExpiresAt, fence, token)
redis.call('SET', KEYS[1], value, 'PX', tonumber(ARGV[4]))
return {1, value, newExpiresAt}
`);
