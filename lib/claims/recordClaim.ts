import { createScript } from '../lock/index.ts';

/**
 * Records a claim as `queued` unless the user already has a record, in one round trip: reads the packet,
 * judges its status and writes with HSETNX semantics atomically (two racing requests create one claim).
 *
 * KEYS[1] packet hash, KEYS[2] claims hash. ARGV[1] record field, ARGV[2] queued record JSON, ARGV[3] now.
 * Returns `{0}` no such packet, `{1, record}` the user's existing record, `{2, 'exhausted' | 'expired'}`
 * the packet takes no new claims, `{3}` recorded (the caller sends the queue message).
 */
export const recordClaim = createScript<[0] | [1, string] | [2, 'exhausted' | 'expired'] | [3]>(`
local state = redis.call('HMGET', KEYS[1], 'remaining', 'remainingCount', 'expiresAt')
if not state[1] then
  return {0}
end
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  -- Same user again: their claim, whatever the packet's state now.
  return {1, existing}
end
if tonumber(state[1]) <= 0 or tonumber(state[2]) <= 0 then
  return {2, 'exhausted'}
end
if tonumber(ARGV[3]) >= tonumber(state[3]) then
  return {2, 'expired'}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {3}
`);
