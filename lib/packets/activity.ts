import { createScript } from '../lock/index.ts';
import type { PacketsContext } from './PacketsContext.ts';

/**
 * The global index of packets with activity the scheduled reconcile has not checked yet: a sorted set,
 * packet id → when it last saw activity (epoch ms). The consumer adds the packets of every batch it
 * processed, the settler the packets it refunded; the reconcile takes the quietest first and removes
 * each one it checked unless it saw activity again meanwhile. One key outside the packets' slots, like
 * the packet index (`rp:packets`).
 */
export const activityIndexKey = (prefix: string) => `${prefix}active`;

/** Records activity on `packetIds` now (one command; a packet already listed moves to now). */
export async function markActive(ctx: PacketsContext, packetIds: readonly string[]): Promise<void> {
  if (packetIds.length === 0) return;
  const now = ctx.now();
  await ctx.redis.zadd(activityIndexKey(ctx.keyPrefix), ...packetIds.flatMap((id) => [now, id]));
}

/** A packet the index lists, with when it last saw activity. */
export interface ActivePacket {
  packetId: string;
  at: number;
}

/**
 * The packets of the index with no activity for `quietMs` (a reconcile of a packet mid-commit can see a
 * transient mismatch), least recently active first, at most `limit`; and how many the index lists in all.
 */
export async function quietPackets(
  ctx: PacketsContext,
  options: { quietMs: number; limit: number },
): Promise<{ packets: ActivePacket[]; listed: number }> {
  const key = activityIndexKey(ctx.keyPrefix);
  const [flat, listed] = await Promise.all([
    ctx.redis.zrangebyscore(
      key,
      '-inf',
      ctx.now() - options.quietMs,
      'WITHSCORES',
      'LIMIT',
      0,
      options.limit,
    ),
    ctx.redis.zcard(key),
  ]);
  const packets: ActivePacket[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    packets.push({ packetId: flat[i] as string, at: Number(flat[i + 1]) });
  }
  return { packets, listed };
}

/**
 * Removes a checked packet from the index unless activity moved it on since it was read. KEYS[1] the index,
 * ARGV[1] the packet id, ARGV[2] the score that was read. Returns 1 when it removed it, 0 otherwise.
 */
const forgetIfUnchanged = createScript<0 | 1>(`
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`);

/** Takes `packet` off the index if it saw no activity since {@link quietPackets} listed it. */
export async function forgetChecked(ctx: PacketsContext, packet: ActivePacket): Promise<boolean> {
  const removed = await forgetIfUnchanged.run(
    ctx.redis,
    [activityIndexKey(ctx.keyPrefix)],
    [packet.packetId, String(packet.at)],
  );
  return removed === 1;
}
