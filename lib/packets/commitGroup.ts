import { createFencedScript } from '../lock/index.ts';
import { shareDelta } from './claimRecord.ts';
import type { Decision } from './decide.ts';
import type { PacketKeys } from './keys.ts';

/** One fresh decision as the commit script reads it (an element of the JSON array in ARGV[4]). */
interface CommitEntry {
  /** Record field. */
  f: string;
  /** Record JSON to store. */
  r: string;
  /** Amount paid, as a decimal string ('0' when rejected). */
  a: string;
  /** User id. */
  u: string;
  /** Record id (the ledger entry's `id`). */
  i: string;
  /** Batch id ('' for a claim). */
  bid: string;
  /** Index of the batch's hash after KEYS[7] (0 for a claim). */
  b: number;
  /** Reject reason ('' when paid). */
  x: string;
  /** What it does to the packet's `reserved` counter (see `shareDelta`): -1 gives a share back, 1 takes one. */
  s: -1 | 0 | 1;
}

/**
 * Commits a group's fresh decisions in one fenced script (the prelude has already proved that the lease
 * holds the packet's lock and has not expired). Every check runs before the first write, because Redis does
 * not roll back a script that stops halfway.
 *
 * KEYS[2] packet hash, KEYS[3] records hash, KEYS[4] ledger stream, KEYS[5] payees hash, KEYS[6] unsent
 * set, KEYS[7] the owner's account (same slot: its `paidOut`), KEYS[8..] the hashes of the payout batches in
 * the group (their counters).
 * ARGV[3] time (epoch ms), ARGV[4] JSON array of {@link CommitEntry}.
 * Returns `{1, remaining, remainingCount}` committed, `{-3}` packet missing, `{-4}` would go below zero,
 * `{-5, i}` entry i is no longer a queued record (decided meanwhile, or withdrawn), `{-6}` the shares
 * nobody held when the group was decided were reserved by the door meanwhile (it grabs without the lock);
 * nothing is written in the last four cases.
 */
export const COMMIT_GROUP_LUA = `
local at = ARGV[3]
local entries = cjson.decode(ARGV[4])
local state = redis.call('HMGET', KEYS[2], 'remaining', 'remainingCount', 'count', 'reserved')
local remaining, remainingCount = tonumber(state[1]), tonumber(state[2])
if not remaining or not remainingCount then
  -- The packet is gone (deleted, or Redis lost its data): decide again against whatever exists now.
  return {-3}
end
-- A packet from before the counter: its paid shares are taken, its queued claims hold none.
local count = tonumber(state[3])
local reserved = tonumber(state[4]) or (count - remainingCount)
local paidSum, paidCount, shares, taken = 0, 0, 0, 0
for i, e in ipairs(entries) do
  local existing = redis.call('HGET', KEYS[3], e.f)
  if not existing or cjson.decode(existing).status ~= 'queued' then
    -- Idempotency: only a record that is still queued is decided, and only once. (A record that is gone
    -- was withdrawn by the door after the queue refused its message: it must not be paid.)
    return {-5, i - 1}
  end
  local amount = tonumber(e.a)
  if amount > 0 then
    paidSum = paidSum + amount
    paidCount = paidCount + 1
  end
  shares = shares + e.s
  if e.s > 0 then taken = taken + 1 end
end
if remaining - paidSum < 0 or remainingCount - paidCount < 0 then
  -- Relative deltas that would overspend: never applied.
  return {-4}
end
if taken > 0 and reserved + shares > count then
  -- A payment without a reservation may only take a share nobody holds, and the door took them since
  -- the group was read: decide again (a reserved claim's share is never taken from it).
  return {-6}
end
redis.call('HINCRBY', KEYS[2], 'remaining', string.format('%d', 0 - paidSum))
redis.call('HINCRBY', KEYS[2], 'remainingCount', 0 - paidCount)
-- Shares given back (rejected reserved claims) can be grabbed at the door again; shares taken cannot.
if shares ~= 0 then redis.call('HSET', KEYS[2], 'reserved', reserved + shares) end
if paidSum > 0 then redis.call('HINCRBY', KEYS[7], 'paidOut', string.format('%d', paidSum)) end
for _, e in ipairs(entries) do
  redis.call('HSET', KEYS[3], e.f, e.r)
  -- Decided: its message is no longer needed, whether or not the door confirmed sending it.
  redis.call('ZREM', KEYS[6], e.f)
  if e.a ~= '0' then
    -- The ledger: one entry per payout, with the fence of the lease that committed it.
    if e.bid ~= '' then
      redis.call('XADD', KEYS[4], '*', 'id', e.i, 'user', e.u, 'amount', e.a, 'fence', fence, 'at', at, 'batch', e.bid)
    else
      redis.call('XADD', KEYS[4], '*', 'id', e.i, 'user', e.u, 'amount', e.a, 'fence', fence, 'at', at)
    end
    -- The first payment of a user on this packet; later items for that user are refused by decide().
    redis.call('HSETNX', KEYS[5], e.u, e.f)
  end
  if e.b > 0 then
    -- A batch's progress, counted once per item: only fresh decisions reach this script.
    if e.a ~= '0' then
      redis.call('HINCRBY', KEYS[7 + e.b], 'paid', 1)
      redis.call('HINCRBY', KEYS[7 + e.b], 'paidAmount', e.a)
    else
      redis.call('HINCRBY', KEYS[7 + e.b], 'rejected:' .. e.x, 1)
    end
  end
end
return {1, remaining - paidSum, remainingCount - paidCount}
`;

export const commitGroupScript = createFencedScript<[1, number, number] | [-3] | [-4] | [-5, number] | [-6]>(
  COMMIT_GROUP_LUA,
);

/** Keys and arguments of {@link commitGroupScript} for the fresh decisions of a group. */
export function commitGroupArgs(
  keys: PacketKeys,
  ownerAccount: string,
  decisions: readonly Decision[],
  at: number,
): { keys: string[]; args: Array<string | number> } {
  const batchKeys: string[] = [];
  const entries: CommitEntry[] = [];
  for (const d of decisions) {
    if (d.type !== 'fresh') continue;
    const paid = d.record.status === 'paid' ? (d.record.amount ?? 0) : 0;
    let batch = 0;
    let batchId = '';
    if (d.item.kind === 'payout') {
      batchId = d.item.batchId;
      const key = keys.batch(batchId);
      batch = batchKeys.indexOf(key) + 1 || batchKeys.push(key);
    }
    entries.push({
      f: d.field,
      r: JSON.stringify(d.record),
      a: String(paid),
      u: d.item.userId,
      i: d.record.id,
      bid: batchId,
      b: batch,
      x: d.record.status === 'paid' ? '' : (d.record.reason ?? 'unknown'),
      s: shareDelta(d.record),
    });
  }
  return {
    keys: [keys.packet, keys.claims, keys.ledger, keys.payees, keys.unsent, ownerAccount, ...batchKeys],
    args: [at, JSON.stringify(entries)],
  };
}
