import { confirmDurable } from './confirmDurable.ts';
import { newPacketId } from './ids.ts';
import { packetIndexKey, packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { type PacketView, toPacketView } from './packetState.ts';
import { createPacketSchema, parseOrThrow } from './schemas.ts';

/**
 * Creates a packet from `input` (validated by `createPacketSchema`: integer `totalAmount >= count >= 1`,
 * `mode`, `expiresInSeconds`). Throws `ValidationError`, writing nothing, when the input is invalid, and
 * `UnderReplicatedError` when the packet is not on `durability.minReplicas` replicas yet.
 */
export async function createPacket(ctx: PacketsContext, input: unknown): Promise<PacketView> {
  const spec = parseOrThrow(createPacketSchema, input, 'packet');
  const packetId = newPacketId();
  const createdAt = ctx.now();
  const state = {
    packetId,
    totalAmount: spec.totalAmount,
    count: spec.count,
    remaining: spec.totalAmount,
    remainingCount: spec.count,
    mode: spec.mode,
    createdAt,
    expiresAt: createdAt + spec.expiresInSeconds * 1000,
  };
  const { packetId: _id, ...fields } = state;
  // Indexed first, so that the sweeper can always find the packet's unsent records.
  await ctx.redis.zadd(packetIndexKey(ctx.keyPrefix), state.expiresAt, packetId);
  await ctx.redis.hset(packetKeys(ctx.keyPrefix, packetId).packet, fields);
  await confirmDurable(ctx, packetId); // a packet a failover could lose is not announced

  return toPacketView(state, createdAt);
}
