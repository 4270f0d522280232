import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import {
  COMMIT_RESERVE_MS,
  type ItemOutcome,
  type PayoutItem,
  type RedPackets,
  UnderReplicatedError,
} from '../packets/index.ts';
import { type QueueMessage, queueMessageSchema } from '../queue/queueMessage.ts';
import type { Logger } from '../runtime/logger.ts';

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

/** How one invocation's records ended, for its summary line. */
export interface ConsumeTally {
  paid: number;
  paidAmount: number;
  rejected: Record<string, number>;
  refused: Record<string, number>;
  duplicates: number;
  retried: number;
  /** Records retried because their outcome was not yet on the required replicas. */
  underReplicated: number;
}

/**
 * The SQS consumer: validates every record, groups them by packet, processes each group under one lock
 * acquisition, and reports the records to retry in `batchItemFailures`. Records that can never succeed
 * (malformed, unknown version, unknown packet, or asking to pay what was never accepted) are logged with
 * their message id, counted, and acknowledged; decided items are recorded by the domain layer. A redelivered
 * item is logged as a duplicate, never as a second payment. Never throws for a single record; throws
 * {@link BatchFailedError} only when every record failed.
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
  const tally: ConsumeTally = {
    paid: 0,
    paidAmount: 0,
    rejected: {},
    refused: {},
    duplicates: 0,
    retried: 0,
    underReplicated: 0,
  };
  const count = (bucket: Record<string, number>, reason: string) => {
    bucket[reason] = (bucket[reason] ?? 0) + 1;
  };
  const groups = new Map<string, Array<{ record: SQSRecord; message: QueueMessage }>>();
  for (const record of records) {
    const message = parseMessage(record, log);
    if (!message) {
      count(tally.refused, 'invalid_message');
      continue;
    }
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
        log.error('group failed', {
          packetId,
          records: group.map((g) => ({ messageId: g.record.messageId, ...itemIds(g.message) })),
          error,
        });
        for (const g of group) failures.push(g.record.messageId);
        tally.retried += group.length;
        return;
      }
      outcomes.forEach((outcome, i) => {
        const { record, message } = group[i] as (typeof group)[number];
        logOutcome(log, message, outcome, record.messageId);
        if (outcome.status === 'retry') {
          failures.push(record.messageId);
          tally.retried += 1;
          if (outcome.error instanceof UnderReplicatedError) tally.underReplicated += 1;
        } else if (outcome.status === 'refused') count(tally.refused, outcome.reason);
        else if (outcome.duplicate) tally.duplicates += 1;
        else if (outcome.status === 'paid') {
          tally.paid += 1;
          tally.paidAmount += outcome.amount;
        } else count(tally.rejected, outcome.reason);
      });
    }),
  );
  log.info('batch consumed', { records: records.length, ...tally });
  if (records.length > 0 && failures.length === records.length) throw new BatchFailedError(failures);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

function parseMessage(record: SQSRecord, log: Logger): QueueMessage | null {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    log.warn('record refused: body is not JSON', {
      messageId: record.messageId,
      outcome: 'refused',
      reason: 'invalid_message',
    });
    return null;
  }
  const parsed = queueMessageSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  log.warn('record refused: invalid message', {
    messageId: record.messageId,
    outcome: 'refused',
    reason: 'invalid_message',
    issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
  });
  return null;
}

function toItem(message: QueueMessage): PayoutItem {
  return message.kind === 'claim'
    ? { kind: 'claim', userId: message.userId }
    : { kind: 'payout', batchId: message.batchId, userId: message.userId, amount: message.amount };
}

/** The ids a log line names a message's item by: its claim, or its batch item. */
function itemIds(message: QueueMessage): Record<string, string> {
  return message.kind === 'claim'
    ? { claimId: message.claimId }
    : { batchId: message.batchId, userId: message.userId };
}

/**
 * One line per record: `paid`, `rejected`, `duplicate` (outcome `already_paid` / `already_rejected`: a
 * redelivery changed nothing), `refused` (nothing was accepted for it), or `retry`.
 */
function logOutcome(log: Logger, message: QueueMessage, outcome: ItemOutcome, messageId: string): void {
  const base = { messageId, packetId: message.packetId, kind: message.kind, ...itemIds(message) };
  switch (outcome.status) {
    case 'paid':
    case 'rejected': {
      const detail =
        outcome.status === 'paid'
          ? { amount: outcome.amount, fence: outcome.fence }
          : { reason: outcome.reason, ...(outcome.paidBy ? { paidBy: outcome.paidBy } : {}) };
      if (outcome.duplicate) {
        log.info('duplicate', { ...base, outcome: `already_${outcome.status}`, ...detail });
      } else log.info(outcome.status, { ...base, outcome: outcome.status, ...detail });
      return;
    }
    case 'refused':
      log.warn('refused', {
        ...base,
        outcome: 'refused',
        reason: outcome.reason,
        ...(message.kind === 'payout' ? { amount: message.amount } : {}),
      });
      return;
    case 'retry':
      log.warn(outcome.error instanceof UnderReplicatedError ? 'retry: not durable yet' : 'retry', {
        ...base,
        outcome: 'retry',
        error: outcome.error,
      });
  }
}
