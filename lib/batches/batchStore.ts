import { parseRecord } from '../packets/claimRecord.ts';
import { echoId } from '../packets/echoId.ts';
import { packetKeys } from '../packets/index.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { BatchConflictError } from './BatchConflictError.ts';

/** The global batch id → packet id index (one of two keys outside a packet's slot, with the packet index). */
const batchIndexKey = (prefix: string) => `${prefix}batches`;

/** Progress of a batch: counts by state and the paid sum. */
export interface BatchStatus {
  batchId: string;
  packetId: string;
  allowRepeatPayees: boolean;
  /** Who first submitted it (`op:<IAM ARN>`, `op:cli`), when recorded. */
  requestedBy?: string;
  /** Items recorded: one per user of the batch, however many times its rows were submitted. */
  items: number;
  queued: number;
  paid: number;
  paidAmount: number;
  rejected: Record<string, number>;
  /** The rejected items (at most `rejectedItems` of them, in no particular order). */
  rejectedItems: Array<{ userId: string; reason: string; paidBy?: string }>;
}

/** Options of {@link readBatchStatus}. */
export interface BatchStatusOptions {
  /** Most rejected items to list (listing scans the packet's records; counting does not). @defaultValue 100 */
  rejectedItems?: number;
}

/**
 * Binds `batchId` to `packetId` in the global index, once: a batch id already bound to another packet is
 * refused with {@link BatchConflictError}, so one id never names two batches. One command, on its own (the
 * index lives outside the packet's slot).
 */
export async function registerBatch(ctx: PacketsContext, packetId: string, batchId: string): Promise<void> {
  const index = batchIndexKey(ctx.keyPrefix);
  if ((await ctx.redis.hsetnx(index, batchId, packetId)) === 1) return;
  const owner = await ctx.redis.hget(index, batchId);
  if (owner !== packetId) {
    throw new BatchConflictError(
      batchId,
      `batch id ${echoId(batchId)} is already used by packet ${echoId(owner ?? '')}; pick another batch id`,
      packetId,
    );
  }
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
  const meta = await ctx.redis.hgetall(packetKeys(ctx.keyPrefix, packetId).batch(batchId));
  if (Object.keys(meta).length === 0) return null; // indexed, but no row was ever recorded
  const status: BatchStatus = {
    batchId,
    packetId,
    allowRepeatPayees: meta.allowRepeatPayees === '1',
    ...(meta.requestedBy ? { requestedBy: meta.requestedBy } : {}),
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
  const found: BatchStatus['rejectedItems'] = [];
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.hscan(
      packetKeys(ctx.keyPrefix, packetId).claims,
      cursor,
      'MATCH',
      `b:${batchId}/*`, // a batch id has no glob characters
      'COUNT',
      1000,
    );
    for (let i = 1; i < flat.length && found.length < limit; i += 2) {
      const record = parseRecord(flat[i]);
      if (record?.status !== 'rejected' || record.batchId !== batchId) continue;
      found.push({
        userId: record.userId,
        reason: record.reason ?? 'unknown',
        ...(record.paidBy === undefined ? {} : { paidBy: record.paidBy }),
      });
    }
    cursor = next;
  } while (cursor !== '0' && found.length < limit);
  return found;
}
