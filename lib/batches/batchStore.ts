import { parseRecord } from '../packets/claimRecord.ts';
import { packetKeys } from '../packets/index.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';

/** The global batch id → packet id index (the only key outside a packet's hash slot). */
const batchIndexKey = (prefix: string) => `${prefix}batches`;

/** Keys of a batch: its hash (in the packet's slot, see `PacketKeys.batch`) and the global index. */
export function batchKeys(prefix: string, packetId: string, batchId: string) {
  return { meta: packetKeys(prefix, packetId).batch(batchId), index: batchIndexKey(prefix) };
}

/** Progress of a batch: counts by state and the paid sum. */
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
  /** Most rejected items to list (listing scans the packet's records; counting does not). @defaultValue 100 */
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

/**
 * The batch's progress, or `null` for an unknown batch id. The counts come from the counters the commit
 * script keeps in the batch's hash (two reads, whatever the batch's size); listing rejected items scans
 * the packet's records, and only happens when some were rejected.
 */
export async function readBatchStatus(
  ctx: PacketsContext,
  batchId: string,
  options: BatchStatusOptions = {},
): Promise<BatchStatus | null> {
  const packetId = await ctx.redis.hget(batchIndexKey(ctx.keyPrefix), batchId);
  if (!packetId) return null;
  const meta = await ctx.redis.hgetall(batchKeys(ctx.keyPrefix, packetId, batchId).meta);
  const status: BatchStatus = {
    batchId,
    packetId,
    items: Number(meta.items ?? 0),
    queued: 0,
    paid: Number(meta.paid ?? 0),
    paidAmount: Number(meta.paidAmount ?? 0),
    rejected: {},
    rejectedItems: [],
  };
  let rejectedCount = 0;
  for (const [field, value] of Object.entries(meta)) {
    if (!field.startsWith('rejected:')) continue;
    status.rejected[field.slice('rejected:'.length)] = Number(value);
    rejectedCount += Number(value);
  }
  status.queued = Math.max(0, status.items - status.paid - rejectedCount);
  const listLimit = options.rejectedItems ?? 100;
  if (rejectedCount > 0 && listLimit > 0) {
    status.rejectedItems = await listRejectedItems(ctx, packetId, batchId, listLimit);
  }
  return status;
}

/** Up to `limit` rejected items of a batch, from one HSCAN pass over the packet's records. */
async function listRejectedItems(
  ctx: PacketsContext,
  packetId: string,
  batchId: string,
  limit: number,
): Promise<BatchStatus['rejectedItems']> {
  const itemPrefix = `b:${batchId}:`;
  const found: BatchStatus['rejectedItems'] = [];
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
    for (let i = 1; i < flat.length && found.length < limit; i += 2) {
      const record = parseRecord(flat[i]);
      if (record?.status !== 'rejected') continue;
      const itemId = String(flat[i - 1]).slice(itemPrefix.length);
      found.push({ itemId, userId: record.userId, reason: record.reason ?? 'unknown' });
    }
    cursor = next;
  } while (cursor !== '0' && found.length < limit);
  return found;
}
