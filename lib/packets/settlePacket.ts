import { createFencedScript } from '../lock/index.ts';
import { confirmDurable } from './confirmDurable.ts';
import { PacketNotExpiredError, PacketNotFoundError } from './errors.ts';
import { ownerKeys, packetIndexKey, packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { isPacketId } from './packetIdSchema.ts';
import { parsePacketState } from './packetState.ts';

/**
 * Settles an expired packet under its lock (the fenced prelude has proved the lease): refunds the remainder
 * to the owner's balance, once, as a ledger entry of kind `refund` carrying the lease's fence; marks it
 * settled; takes it off the owner's open packets; and gives every key of the packet its retention expiry.
 * A claim or batch item still queued can only be rejected from now on (the consumer rejects what it decides
 * after expiry), so the remainder is final. That includes the shares the door reserved for claims still
 * queued: they are refunded too, counted as `heldAtSettlement` (each gives its reservation back when its
 * claim is rejected as expired).
 *
 * KEYS[2] packet hash, KEYS[3] ledger, KEYS[4] owner account, KEYS[5] owner's open packets, KEYS[6..] every
 * other key of the packet (retention). ARGV[3] now (epoch ms), ARGV[4] retention ms, ARGV[5] packet id.
 * Returns `{1, refunded, held}` settled now, `{2, refunded, held}` settled before, `{3, expiresAt}` not
 * expired yet, `{-3}` no packet.
 */
export const SETTLE_LUA = `
local now = tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[2], 'remaining', 'remainingCount', 'expiresAt', 'settledAt', 'createdBy',
  'refunded', 'count', 'reserved', 'heldAtSettlement')
if not s[1] then return {-3} end
if s[4] then return {2, tonumber(s[6]) or 0, tonumber(s[9]) or 0} end
if now < tonumber(s[3]) then return {3, tonumber(s[3])} end
local refund, shares = tonumber(s[1]), tonumber(s[2])
-- Taken shares minus the paid ones (count − remainingCount, none refunded yet): held by queued claims.
local held = math.max(0, (tonumber(s[8]) or 0) - (tonumber(s[7]) - shares))
redis.call('HSET', KEYS[2], 'remaining', 0, 'remainingCount', 0, 'refunded', refund, 'refundedCount', shares,
  'heldAtSettlement', held, 'settledAt', now)
if refund > 0 then
  redis.call('XADD', KEYS[3], '*', 'id', 'refund', 'kind', 'refund', 'user', s[5], 'amount', refund, 'fence', fence, 'at', now)
  redis.call('HINCRBY', KEYS[4], 'balance', refund)
  redis.call('HINCRBY', KEYS[4], 'refunded', refund)
end
redis.call('ZREM', KEYS[5], ARGV[5])
-- Retention: the packet's keys go once its ledger has had time to be exported (the account stays).
for i = 2, #KEYS do
  if i ~= 4 and i ~= 5 then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
end
return {1, refund, held}
`;

const settleScript = createFencedScript<[1 | 2, number, number] | [3, number] | [-3]>(SETTLE_LUA);

/** What settling did. */
export interface Settlement {
  packetId: string;
  owner: string;
  refunded: number;
  /**
   * Of the refunded shares, those the door had reserved for claims still queued at settlement: they can no
   * longer be paid (each is rejected as expired when its message is decided, and gives its share back).
   */
  heldShares: number;
  /** `now`: this call refunded; `before`: an earlier call had (nothing changed). */
  settled: 'now' | 'before';
}

/**
 * Settles `packetId` (see {@link SETTLE_LUA}): exactly once, whoever races (two settlers serialize on the
 * packet's lock, and the second finds it settled). Throws `PacketNotFoundError`, `PacketNotExpiredError`,
 * a lock error (retryable: try again) or `UnderReplicatedError`.
 */
export async function settlePacket(
  ctx: PacketsContext,
  packetId: string,
  options: { retentionMs: number; waitMs?: number },
): Promise<Settlement> {
  if (!isPacketId(packetId)) throw new PacketNotFoundError(String(packetId));
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const hash = await ctx.redis.hgetall(keys.packet);
  const before = parsePacketState(packetId, hash);
  if (!before) throw new PacketNotFoundError(packetId);
  const owner = ownerKeys(ctx.keyPrefix, before.createdBy);
  if (before.settledAt !== undefined) {
    const heldShares = Number(hash.heldAtSettlement ?? 0);
    return { packetId, owner: before.createdBy, refunded: before.refunded, heldShares, settled: 'before' };
  }
  if (ctx.now() < before.expiresAt) throw new PacketNotExpiredError(packetId, before.expiresAt);
  // No batch can be recorded after expiry, so this list is final.
  const batchIds = await ctx.redis.smembers(keys.batches);
  const lease = await ctx.lock.acquire(packetId, { waitMs: options.waitMs ?? 5000 });
  const reply = await ctx.lock.commit(
    lease,
    settleScript,
    [
      keys.packet,
      keys.ledger,
      owner.account,
      owner.packets,
      keys.claims,
      keys.payees,
      keys.unsent,
      keys.batches,
      keys.barrier,
      ...batchIds.map((id) => keys.batch(id)),
      ...keys.lockKeys,
    ],
    [ctx.now(), options.retentionMs, packetId],
    { release: true },
  );
  if (reply[0] === -3) throw new PacketNotFoundError(packetId);
  if (reply[0] === 3) throw new PacketNotExpiredError(packetId, reply[1]);
  await confirmDurable(ctx, keys.barrier);
  return {
    packetId,
    owner: before.createdBy,
    refunded: reply[1],
    heldShares: reply[2],
    settled: reply[0] === 1 ? 'now' : 'before',
  };
}

/**
 * Settles the packets of the index that have expired, oldest first, at most `limit` per run (the index
 * keeps a settled packet until the sweeper finds nothing unsent in it, and those are skipped with one read
 * each). Resolves what it settled, and the packets it could not settle now (their lock was busy, Redis
 * failed), with the reason, to retry on the next run.
 */
export async function settleExpired(
  ctx: PacketsContext,
  options: { retentionMs: number; limit?: number },
): Promise<{ settled: Settlement[]; failed: Array<{ packetId: string; error: string }> }> {
  const limit = options.limit ?? 500;
  const settled: Settlement[] = [];
  const failed: Array<{ packetId: string; error: string }> = [];
  const now = ctx.now();
  for (let offset = 0; settled.length + failed.length < limit; offset += 500) {
    const page = await ctx.redis.zrangebyscore(
      packetIndexKey(ctx.keyPrefix),
      '-inf',
      now,
      'LIMIT',
      offset,
      500,
    );
    for (const packetId of page) {
      if (settled.length + failed.length >= limit) break;
      try {
        const result = await settlePacket(ctx, packetId, { retentionMs: options.retentionMs, waitMs: 1000 });
        if (result.settled === 'now') settled.push(result);
      } catch (error) {
        if (error instanceof PacketNotFoundError) continue; // gone (retention passed): the sweeper forgets it
        failed.push({ packetId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (page.length < 500) break;
  }
  return { settled, failed };
}
