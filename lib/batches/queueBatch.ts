import type { SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage } from '../claims/queueMessage.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { recordBatch } from './batchStore.ts';
import { type SendFailure, type SendOptions, sendPayouts } from './sendPayouts.ts';

/** One validated payout of a batch. `itemId` identifies it within the batch for good (index or line). */
export interface BatchItem {
  itemId: string;
  userId: string;
  amount: number;
}

/** What {@link queueBatch} could not send, by item. */
export interface QueueFailure extends SendFailure {
  itemId: string;
}

/**
 * Records the batch (first submission wins) and sends one payout message per item. The consumer decides
 * each (batch, item) once, so sending an item again (a resubmitted file, a retry after a crash halfway)
 * pays nobody twice: the repeat finds the item's record and changes nothing.
 */
export async function queueBatch(
  ctx: PacketsContext,
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  batch: { packetId: string; batchId: string; items: readonly BatchItem[] },
  options: SendOptions = {},
): Promise<{ sent: number; failures: QueueFailure[] }> {
  await recordBatch(ctx, batch.packetId, batch.batchId, batch.items.length);
  const requestedAt = ctx.now();
  const messages: QueueMessage[] = batch.items.map((item) => ({
    v: 1,
    kind: 'payout',
    batchId: batch.batchId,
    itemId: item.itemId,
    packetId: batch.packetId,
    userId: item.userId,
    amount: item.amount,
    requestedAt,
  }));
  const { sent, failures } = await sendPayouts(sqs, queueUrl, messages, options);
  return {
    sent,
    failures: failures.map((f) => ({ ...f, itemId: batch.items[f.index]?.itemId ?? String(f.index) })),
  };
}
