import { parseRecord } from '../packets/claimRecord.ts';
import { packetKeys } from '../packets/index.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';

/** The global batch id → packet id index (the only key outside a packet's hash slot). */
const batchIndexKey = (prefix: string) => `${prefix}batches`;

/** Keys of a batch: its meta hash (in the packet's slot) and the global batch → packet index. */
export function batchKeys(prefix: string, packetId: string, batchId: string) {
  return { meta: `${prefix}{${packetId}}:batch:${batchId}`, index: batchIndexKey(prefix) };
}

/** Progress of a batch: counts by state and the paid sum, from the item records. */
export interface BatchStatus {
  batchId: string;
  packetId: string;
  items: number;
  queued: number;
  paid: number;
  paidAmount: number;
  rejected: Record<string, number>;
  /** The rejected items (at most `rejectedItems` of them, in no particular order). */
  rejectedItems: Array<{ itemId: string; userId: string; reason: string }>;
}

/** Options of {@link readBatchStatus}. */
export interface BatchStatusOptions {
  /** Most rejected items to list. @defaultValue 100 */
  rejectedItems?: number;
}

/** Records a batch (idempotently: a resubmission keeps the first record) and indexes it by id. */
export async function recordBatch(
  ctx: PacketsContext,
  packetId: string,
  batchId: string,
  items: number,
): Promise<void> {
  const keys = batchKeys(ctx.keyPrefix, packetId, batchId);
  await ctx.redis
    .multi()
    .hsetnx(keys.meta, 'items', items)
    .hsetnx(keys.meta, 'createdAt', ctx.now())
    .hset(keys.index, batchId, packetId)
    .exec();
}

/** The batch's progress, or `null` for an unknown batch id. Scans the packet's records of this batch. */
export async function readBatchStatus(
  ctx: PacketsContext,
  batchId: string,
  options: BatchStatusOptions = {},
): Promise<BatchStatus | null> {
  const listLimit = options.rejectedItems ?? 100;
  const itemPrefix = `b:${batchId}:`;
  const packetId = await ctx.redis.hget(batchIndexKey(ctx.keyPrefix), batchId);
  if (!packetId) return null;
  const items = Number(await ctx.redis.hget(batchKeys(ctx.keyPrefix, packetId, batchId).meta, 'items'));
  const status: BatchStatus = {
    batchId,
    packetId,
    items,
    queued: 0,
    paid: 0,
    paidAmount: 0,
    rejected: {},
    rejectedItems: [],
  };
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.hscan(
      packetKeys(ctx.keyPrefix, packetId).claims,
      cursor,
      'MATCH',
      `${itemPrefix}*`,
      'COUNT',
      1000,
    );
    for (let i = 1; i < flat.length; i += 2) {
      const record = parseRecord(flat[i]);
      if (record?.status === 'paid') {
        status.paid += 1;
        status.paidAmount += record.amount ?? 0;
      } else if (record?.status === 'rejected') {
        const reason = record.reason ?? 'unknown';
        status.rejected[reason] = (status.rejected[reason] ?? 0) + 1;
        if (status.rejectedItems.length < listLimit) {
          const itemId = String(flat[i - 1]).slice(itemPrefix.length);
          status.rejectedItems.push({ itemId, userId: record.userId, reason });
        }
      }
    }
    cursor = next;
  } while (cursor !== '0');
  const decided = status.paid + Object.values(status.rejected).reduce((a, b) => a + b, 0);
  status.queued = Math.max(0, items - decided);
  return status;
}
