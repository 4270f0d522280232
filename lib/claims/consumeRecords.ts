import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { COMMIT_RESERVE_MS, type ItemOutcome, type PayoutItem, type RedPackets } from '../packets/index.ts';
import type { Logger } from '../runtime/logger.ts';
import { type QueueMessage, queueMessageSchema } from './queueMessage.ts';

/** Time kept back from the invocation's remaining time, so results are returned before the timeout. */
export const CONSUMER_SAFETY_MS = 1000;

/** Every record of the batch failed: Lambda retries the whole batch (SQS redelivers every message). */
export class BatchFailedError extends Error {
  readonly messageIds: string[];

  constructor(messageIds: string[]) {
    super(`all ${messageIds.length} records of the batch failed; the whole batch is retried`);
    this.name = 'BatchFailedError';
    this.messageIds = messageIds;
  }
}

/**
 * The SQS consumer: validates every record, groups them by packet, processes each group under one lock
 * acquisition, and reports the records to retry in `batchItemFailures`. Records that can never succeed
 * (malformed, unknown version, unknown packet) are logged as rejected and acknowledged; decided items are
 * recorded by the domain layer. Never throws for a single record; throws {@link BatchFailedError} only when
 * every record failed.
 */
export async function consumeRecords(
  rp: RedPackets,
  records: readonly SQSRecord[],
  options: { remainingMs: number; maxLockWaitMs: number; log: Logger },
): Promise<SQSBatchResponse> {
  const { log } = options;
  const deadline = Math.min(
    Date.now() + options.remainingMs - CONSUMER_SAFETY_MS,
    Date.now() + options.maxLockWaitMs + COMMIT_RESERVE_MS,
  );
  const groups = new Map<string, Array<{ record: SQSRecord; message: QueueMessage }>>();
  for (const record of records) {
    const message = parseMessage(record, log);
    if (!message) continue;
    const group = groups.get(message.packetId) ?? [];
    group.push({ record, message });
    groups.set(message.packetId, group);
  }
  const failures: string[] = [];
  await Promise.all(
    [...groups].map(async ([packetId, group]) => {
      let outcomes: ItemOutcome[];
      try {
        outcomes = await rp.processItems(
          packetId,
          group.map((g) => toItem(g.message)),
          { deadline },
        );
      } catch (error) {
        // A bug or a permanent fault: retry (and, after maxReceiveCount, the DLQ) rather than drop.
        log.error('group failed', { packetId, records: group.length, error });
        for (const g of group) failures.push(g.record.messageId);
        return;
      }
      outcomes.forEach((outcome, i) => {
        const { record, message } = group[i] as (typeof group)[number];
        logOutcome(log, message, outcome, record.messageId);
        if (outcome.status === 'retry') failures.push(record.messageId);
      });
    }),
  );
  if (records.length > 0 && failures.length === records.length) throw new BatchFailedError(failures);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

function parseMessage(record: SQSRecord, log: Logger): QueueMessage | null {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    log.warn('record rejected: body is not JSON', { messageId: record.messageId, outcome: 'rejected' });
    return null;
  }
  const parsed = queueMessageSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  log.warn('record rejected: invalid message', {
    messageId: record.messageId,
    outcome: 'rejected',
    issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
  });
  return null;
}

function toItem(message: QueueMessage): PayoutItem {
  return message.kind === 'claim'
    ? { kind: 'claim', userId: message.userId }
    : {
        kind: 'payout',
        batchId: message.batchId,
        itemId: message.itemId,
        userId: message.userId,
        amount: message.amount,
      };
}

function logOutcome(log: Logger, message: QueueMessage, outcome: ItemOutcome, messageId: string): void {
  const id =
    message.kind === 'claim'
      ? { claimId: message.claimId }
      : { batchId: message.batchId, itemId: message.itemId };
  const base = { messageId, packetId: message.packetId, ...id, outcome: outcome.status };
  if (outcome.status === 'paid') log.info('paid', { ...base, amount: outcome.amount, fence: outcome.fence });
  else if (outcome.status === 'rejected') log.info('rejected', { ...base, reason: outcome.reason });
  else log.warn('retry', { ...base, error: outcome.error });
}
