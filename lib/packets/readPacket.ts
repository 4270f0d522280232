import { PacketNotFoundError } from './errors.ts';
import { packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { isPacketId } from './packetIdSchema.ts';
import { type PacketView, parsePacketState, toPacketView } from './packetState.ts';

/** The packet with its derived status and paid totals; throws `PacketNotFoundError`. */
export async function readPacket(ctx: PacketsContext, packetId: string): Promise<PacketView> {
  if (!isPacketId(packetId)) throw new PacketNotFoundError(String(packetId));
  const state = parsePacketState(
    packetId,
    await ctx.redis.hgetall(packetKeys(ctx.keyPrefix, packetId).packet),
  );
  if (!state) throw new PacketNotFoundError(packetId);
  return toPacketView(state, ctx.now());
}
