import { createScript } from '../lock/index.ts';
import { confirmDurable } from './confirmDurable.ts';
import { InsufficientFundsError, SenderLimitError } from './errors.ts';
import { newPacketId } from './ids.ts';
import { keySlot } from './keySlot.ts';
import { ownerKeys, packetIndexKey, packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { type PacketState, type PacketView, toPacketView } from './packetState.ts';
import { createPacketSchema, ownerIdSchema, parseOrThrow } from './schemas.ts';

/** Per-sender limits on creating packets (configuration; `SenderLimitError` when one refuses). */
export interface SenderLimits {
  /** Most packets one owner may have unsettled at once (0: no limit). @defaultValue 100 */
  maxOpenPackets: number;
  /** Most one packet may hold, in minor units. @defaultValue 10^12 (`MAX_AMOUNT`) */
  maxPacketAmount: number;
}

/**
 * Creates the packet and pays for it in one script: the packet's id was chosen in its owner's slot, so on a
 * cluster too the debit and the packet are one atomic step (concurrent creations from one balance can never
 * overdraw it, and a refused one changes nothing).
 *
 * KEYS[1] packet hash, KEYS[2] owner account, KEYS[3] owner's open packets. ARGV[1] packet id, ARGV[2]
 * owner, ARGV[3] totalAmount, ARGV[4] count, ARGV[5] mode, ARGV[6] createdAt, ARGV[7] expiresAt, ARGV[8]
 * most open packets (0: no limit). Returns `{1, balance}` created, `{0, balance}` insufficient funds,
 * `{2, open}` too many open packets, `{-1}` the id exists (never in practice: 96 random bits).
 */
const createPacketScript = createScript<[1 | 0 | 2, number] | [-1]>(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
local balance = tonumber(redis.call('HGET', KEYS[2], 'balance') or '0')
local total = tonumber(ARGV[3])
if balance < total then return {0, balance} end
local maxOpen = tonumber(ARGV[8])
if maxOpen > 0 then
  local open = redis.call('ZCARD', KEYS[3])
  if open >= maxOpen then return {2, open} end
end
redis.call('HINCRBY', KEYS[2], 'balance', 0 - total)
redis.call('HINCRBY', KEYS[2], 'funded', total)
redis.call('HSET', KEYS[1], 'createdBy', ARGV[2], 'totalAmount', ARGV[3], 'count', ARGV[4],
  'remaining', ARGV[3], 'remainingCount', ARGV[4], 'reserved', 0, 'mode', ARGV[5], 'createdAt', ARGV[6],
  'expiresAt', ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
return {1, balance - total}
`);

/**
 * Creates a packet owned by `owner` from `input` (validated by `createPacketSchema`: integer
 * `totalAmount >= count >= 1`, `mode`, `expiresInSeconds`), funded from the owner's balance. Throws
 * `ValidationError`, `InsufficientFundsError` or `SenderLimitError`, changing nothing, and
 * `UnderReplicatedError` when the packet is not on `durability.minReplicas` replicas yet.
 */
export async function createPacket(
  ctx: PacketsContext,
  input: unknown,
  owner: string,
  limits: SenderLimits,
): Promise<PacketView> {
  const spec = parseOrThrow(createPacketSchema, input, 'packet');
  const by = parseOrThrow(ownerIdSchema, owner, 'owner');
  if (spec.totalAmount > limits.maxPacketAmount) {
    throw new SenderLimitError(by, 'maxPacketAmount', limits.maxPacketAmount);
  }
  const account = ownerKeys(ctx.keyPrefix, by);
  const createdAt = ctx.now();
  const expiresAt = createdAt + spec.expiresInSeconds * 1000;
  for (;;) {
    const packetId = newPacketId(keySlot(account.slotKey));
    const keys = packetKeys(ctx.keyPrefix, packetId);
    // Indexed first, so that the sweeper and the settler can always find the packet.
    await ctx.redis.zadd(packetIndexKey(ctx.keyPrefix), expiresAt, packetId);
    const reply = await createPacketScript.run(
      ctx.redis,
      [keys.packet, account.account, account.packets],
      [packetId, by, spec.totalAmount, spec.count, spec.mode, createdAt, expiresAt, limits.maxOpenPackets],
    );
    if (reply[0] === -1) continue;
    if (reply[0] !== 1) await ctx.redis.zrem(packetIndexKey(ctx.keyPrefix), packetId);
    if (reply[0] === 0) throw new InsufficientFundsError(by, reply[1], spec.totalAmount);
    if (reply[0] === 2) throw new SenderLimitError(by, 'maxOpenPackets', limits.maxOpenPackets);
    await confirmDurable(ctx, keys.barrier); // a packet a failover could lose is not announced
    const state: PacketState = {
      packetId,
      createdBy: by,
      totalAmount: spec.totalAmount,
      count: spec.count,
      remaining: spec.totalAmount,
      remainingCount: spec.count,
      reserved: 0,
      mode: spec.mode,
      createdAt,
      expiresAt,
      refunded: 0,
      refundedCount: 0,
      settledAt: undefined,
    };
    return toPacketView(state, createdAt);
  }
}
