import { createFencedScript } from '../lock/index.ts';
import type { Decision } from './decide.ts';
import type { PacketKeys } from './keys.ts';

/**
 * Commits a group's fresh decisions in one fenced script (the prelude has already proved that the lease
 * holds the packet's lock and has not expired). Every check runs before the first write, because Redis does
 * not roll back a script that stops halfway:
 *
 * KEYS[2] packet hash, KEYS[3] claims hash, KEYS[4] ledger stream, KEYS[5..] the hashes of the payout
 * batches in the group (their counters).
 * ARGV[3] sum of the amounts paid, ARGV[4] number paid, ARGV[5] time (epoch ms), ARGV[6] number of records,
 * then 7 per record: field, record JSON, amount (0 when rejected), user id, record id, the index of its
 * batch's key after KEYS[4] (0 for a claim), and the reject reason ('' when paid).
 * Returns `{1, remaining, remainingCount}` committed, `{-3}` packet missing, `{-4}` would go below zero,
 * `{-5, i}` record i was decided meanwhile (nothing written in all three cases).
 */
export const COMMIT_GROUP_LUA = `
local paidSum, paidCount, at, n = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local state = redis.call('HMGET', KEYS[2], 'remaining', 'remainingCount')
local remaining, remainingCount = tonumber(state[1]), tonumber(state[2])
if not remaining or not remainingCount then
  -- The packet is gone (deleted, or Redis lost its data): decide again against whatever exists now.
  return {-3}
end
if remaining - paidSum < 0 or remainingCount - paidCount < 0 then
  -- Relative deltas that would overspend: never applied.
  return {-4}
end
-- Fields and records in chunks, so that unpack() stays far below Lua's stack limit for any group size.
local CHUNK = 500
for first = 0, n - 1, CHUNK do
  local fields = {}
  for i = first, math.min(n, first + CHUNK) - 1 do fields[#fields + 1] = ARGV[7 + i * 7] end
  local existing = redis.call('HMGET', KEYS[3], unpack(fields))
  for j = 1, #existing do
    if existing[j] and cjson.decode(existing[j]).status ~= 'queued' then
      -- Idempotency: an item already paid or rejected is never decided twice.
      return {-5, first + j - 1}
    end
  end
end
redis.call('HINCRBY', KEYS[2], 'remaining', 0 - paidSum)
redis.call('HINCRBY', KEYS[2], 'remainingCount', 0 - paidCount)
for first = 0, n - 1, CHUNK do
  local fieldValues = {}
  for i = first, math.min(n, first + CHUNK) - 1 do
    local base = 7 + i * 7
    fieldValues[#fieldValues + 1] = ARGV[base]
    fieldValues[#fieldValues + 1] = ARGV[base + 1]
    local amount = tonumber(ARGV[base + 2])
    if amount > 0 then
      -- The ledger: one entry per payout, with the fence of the lease that committed it.
      redis.call('XADD', KEYS[4], '*', 'id', ARGV[base + 4], 'user', ARGV[base + 3], 'amount', amount, 'fence', fence, 'at', at)
    end
    local batch = tonumber(ARGV[base + 5])
    if batch > 0 then
      -- A batch's progress, counted once per item: only fresh decisions reach this script.
      if amount > 0 then
        redis.call('HINCRBY', KEYS[4 + batch], 'paid', 1)
        redis.call('HINCRBY', KEYS[4 + batch], 'paidAmount', amount)
      else
        redis.call('HINCRBY', KEYS[4 + batch], 'rejected:' .. ARGV[base + 6], 1)
      end
    end
  end
  redis.call('HSET', KEYS[3], unpack(fieldValues))
end
return {1, remaining - paidSum, remainingCount - paidCount}
`;

export const commitGroupScript = createFencedScript<[1, number, number] | [-3] | [-4] | [-5, number]>(
  COMMIT_GROUP_LUA,
);

/** Keys and arguments of {@link commitGroupScript} for the fresh decisions of a group. */
export function commitGroupArgs(
  keys: PacketKeys,
  decisions: readonly Decision[],
  at: number,
): { keys: string[]; args: Array<string | number> } {
  const fresh = decisions.filter((d) => d.fresh);
  let paidSum = 0;
  let paidCount = 0;
  const perRecord: Array<string | number> = [];
  const batchKeys: string[] = [];
  for (const d of fresh) {
    const amount = d.record.status === 'paid' ? (d.record.amount ?? 0) : 0;
    paidSum += amount;
    if (amount > 0) paidCount += 1;
    let batch = 0;
    if (d.item.kind === 'payout') {
      const key = keys.batch(d.item.batchId);
      batch = batchKeys.indexOf(key) + 1 || batchKeys.push(key);
    }
    const reason = d.record.status === 'paid' ? '' : (d.record.reason ?? 'unknown');
    perRecord.push(d.field, JSON.stringify(d.record), amount, d.item.userId, d.record.id, batch, reason);
  }
  return {
    keys: [keys.packet, keys.claims, keys.ledger, ...batchKeys],
    args: [paidSum, paidCount, at, fresh.length, ...perRecord],
  };
}
