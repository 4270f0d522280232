import type { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { readPacket } from '../packets/readPacket.ts';
import { batchIdSchema, MAX_AMOUNT, parseOrThrow, userIdSchema } from '../packets/schemas.ts';
import { deriveBatchId } from './batchId.ts';
import { queueBatch } from './queueBatch.ts';

/** Most items in one `POST /payout-batches` request; larger batches go through the CLI. */
export const MAX_ITEMS_PER_REQUEST = 1000;

/** `POST /payout-batches` body. Items are checked one by one (bad ones are reported, not fatal). */
export const submitBatchSchema = z.strictObject({
  packetId: z.string().min(1).max(100),
  batchId: batchIdSchema.optional(),
  items: z.array(z.unknown()).min(1).max(MAX_ITEMS_PER_REQUEST),
});

const itemSchema = z.strictObject({
  userId: userIdSchema,
  amount: z.number().int('must be an integer (minor units)').min(1).max(MAX_AMOUNT),
});

/** What `POST /payout-batches` answers (202). */
export interface SubmittedBatch {
  batchId: string;
  accepted: number;
  rejected: Array<{ index: number; code: string; message: string }>;
}

/**
 * Queues a payout batch: validates every item (a bad item, or a user listed twice, is rejected with its
 * index; the rest go on), derives the batch id from the content unless one is given, records the batch,
 * and sends one message per item (item id = its index, so a resubmission pays nobody twice).
 */
export async function submitBatch(
  ctx: PacketsContext,
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  body: unknown,
): Promise<SubmittedBatch> {
  const input = parseOrThrow(submitBatchSchema, body, 'payout batch');
  await readPacket(ctx, input.packetId); // 404 before anything is queued
  const rejected: SubmittedBatch['rejected'] = [];
  const rows: Array<{ index: number; userId: string; amount: number }> = [];
  const seen = new Set<string>();
  input.items.forEach((raw, index) => {
    const parsed = itemSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rejected.push({
        index,
        code: 'invalid_item',
        message: `${issue?.path.join('.') || 'item'}: ${issue?.message}`,
      });
    } else if (seen.has(parsed.data.userId)) {
      rejected.push({
        index,
        code: 'duplicate_user',
        message: `user ${parsed.data.userId} is already in this batch`,
      });
    } else {
      seen.add(parsed.data.userId);
      rows.push({ index, ...parsed.data });
    }
  });
  const batchId = input.batchId ?? deriveBatchId(input.packetId, rows);
  if (rows.length === 0) return { batchId, accepted: 0, rejected };
  const items = rows.map((row) => ({ itemId: String(row.index), userId: row.userId, amount: row.amount }));
  const { failures } = await queueBatch(ctx, sqs, queueUrl, { packetId: input.packetId, batchId, items });
  for (const f of failures) {
    rejected.push({ index: Number(f.itemId), code: 'queue_unavailable', message: `${f.code}: ${f.message}` });
  }
  return {
    batchId,
    accepted: rows.length - failures.length,
    rejected: rejected.sort((a, b) => a.index - b.index),
  };
}
