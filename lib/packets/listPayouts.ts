import { packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { readPacket } from './readPacket.ts';
import { LAST_LEDGER_CURSOR, type PageOptions, pageSchema, parseOrThrow } from './schemas.ts';

/** One ledger entry: a payout (of a claim or a batch item), or the refund of a settled packet. */
export interface Payout {
  /** Stream entry id; also the cursor for the next page. */
  entryId: string;
  /** `refund` for the remainder going back to the owner at settlement; absent for a payout. */
  kind?: 'refund';
  /** Claim id, `<batchId>/<userId>`, or `refund`. */
  id: string;
  userId: string;
  /** The batch that paid it; absent for a claim. */
  batchId?: string;
  amount: number;
  fence: number;
  paidAt: number;
}

/**
 * Ledger entries in order, `limit` (1-1000, default 100) at a time after `cursor` (see `pageSchema`).
 * Throws `ValidationError` for a bad page before anything is read, `PacketNotFoundError`.
 */
export async function listPayouts(
  ctx: PacketsContext,
  packetId: string,
  options: PageOptions = {},
): Promise<{ items: Payout[]; nextCursor: string | null }> {
  const { limit, cursor } = parseOrThrow(pageSchema, options, 'page');
  await readPacket(ctx, packetId); // 404 for an unknown packet rather than an empty page
  // Nothing follows the last id a stream can hold (and Redis refuses it as an exclusive start).
  if (cursor === LAST_LEDGER_CURSOR) return { items: [], nextCursor: null };
  const start = cursor ? `(${cursor}` : '-';
  const entries = await ctx.redis.xrange(
    packetKeys(ctx.keyPrefix, packetId).ledger,
    start,
    '+',
    'COUNT',
    limit + 1,
  );
  const items = entries.slice(0, limit).map(([entryId, fields]) => toPayout(entryId, fields));
  return { items, nextCursor: entries.length > limit ? (items.at(-1)?.entryId ?? null) : null };
}

/** Decodes a ledger entry's flat field list. */
export function toPayout(entryId: string, fields: string[]): Payout {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  return {
    entryId,
    ...(f.kind === 'refund' ? { kind: 'refund' as const } : {}),
    id: f.id ?? '',
    userId: f.user ?? '',
    ...(f.batch === undefined ? {} : { batchId: f.batch }),
    amount: Number(f.amount),
    fence: Number(f.fence),
    paidAt: Number(f.at),
  };
}
