import { PacketNotFoundError } from './errors.ts';
import { packetKeys } from './keys.ts';
import { type Payout, toPayout } from './listPayouts.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { isPacketId } from './packetIdSchema.ts';

/**
 * Every ledger entry of a packet, oldest first, 1,000 per read (payouts and the refund), for an export
 * before the retention period drops the packet. Throws `PacketNotFoundError` for a packet that is gone.
 */
export async function* exportLedger(ctx: PacketsContext, packetId: string): AsyncGenerator<Payout> {
  if (!isPacketId(packetId)) throw new PacketNotFoundError(String(packetId));
  const keys = packetKeys(ctx.keyPrefix, packetId);
  if ((await ctx.redis.exists(keys.packet)) === 0) throw new PacketNotFoundError(packetId);
  let start = '-';
  for (;;) {
    const page = await ctx.redis.xrange(keys.ledger, start, '+', 'COUNT', 1000);
    for (const [entryId, fields] of page) yield toPayout(entryId, fields);
    if (page.length < 1000) return;
    start = `(${page.at(-1)?.[0]}`;
  }
}
