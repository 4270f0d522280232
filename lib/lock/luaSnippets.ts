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
