import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { markActive } from '../packets/activity.ts';
import {
  COMMIT_RESERVE_MS,
  type ItemOutcome,
  type PayoutItem,
  type RedPackets,
  UnderReplicatedError,
} from '../packets/index.ts';
import { type QueueMessage, queueMessageSchema } from '../queue/queueMessage.ts';
import type { Logger } from '../runtime/logger.ts';
import { type MetricsRecorder, NO_METRICS } from '../runtime/metrics.ts';

/** Time kept back from the invocation's remaining time, so results are returned before the timeout. */
export const CONSUMER_SAFETY_MS = 1000;

/** Receives of one message before SQS moves it to the DLQ (`maxReceiveCount` in infra/queues.json). */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/** Options of {@link consumeRecords}. */
export interface ConsumeOptions {
  /** The invocation's remaining time (ms). */
  remainingMs: number;
  /** Longest wait for one packet's lock (ms): `LOCK_WAIT_MS`. */
  maxLockWaitMs: number;
  log: Logger;
  /** Where the outcomes, lock waits and DLQ-bound records are counted. @defaultValue {@link NO_METRICS} */
  metrics?: MetricsRecorder;
  /**
   * The queue's `maxReceiveCount`: a retried record received this often goes to the DLQ next, and is
   * logged and counted as such. @defaultValue {@link DEFAULT_MAX_RECEIVE_COUNT}
   */
  maxReceiveCount?: number;
}

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
  /** Retried records on their last receive (the DLQ takes them next). */
  dlqBound: number;
  /** Lock acquisitions that took over from an expired holder, and that gave up at their deadline. */
  takeovers: number;
  lockTimeouts: number;
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
  options: ConsumeOptions,
): Promise<SQSBatchResponse> {
  const { log } = options;
  const metrics = options.metrics ?? NO_METRICS;
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
    dlqBound: 0,
    takeovers: 0,
    lockTimeouts: 0,
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
  /** Packets this batch acted on (not those it found missing), for the scheduled reconcile. */
  const touched = new Set<string>();
  await Promise.all(
    [...groups].map(async ([packetId, group]) => {
      let outcomes: ItemOutcome[];
      try {
        outcomes = await rp.processItems(
          packetId,
          group.map((g) => toItem(g.message)),
          {
            deadline,
            onLock: ({ waitedMs, takeover, timedOut }) => {
              metrics.add('LockWait', Math.round(waitedMs));
              if (takeover) tally.takeovers += 1;
              if (timedOut) tally.lockTimeouts += 1;
            },
          },
        );
      } catch (error) {
        // A bug or a permanent fault: retry (and, after maxReceiveCount, the DLQ) rather than drop.
        log.error('group failed', {
          packetId,
          records: group.map((g) => ({ messageId: g.record.messageId, ...itemIds(g.message) })),
          error,
        });
        for (const g of group) failures.push(g.record.messageId);
        touched.add(packetId);
        tally.retried += group.length;
        return;
      }
      if (outcomes.some((o) => o.status !== 'refused' || o.reason !== 'unknown_packet'))
        touched.add(packetId);
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
  const lastReceives = lastReceivesOf(
    records,
    failures,
    options.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
  );
  for (const record of lastReceives) {
    log.warn('record goes to the DLQ', {
      messageId: record.messageId,
      receives: Number(record.attributes?.ApproximateReceiveCount),
      outcome: 'dlq_bound',
    });
  }
  tally.dlqBound = lastReceives.length;
  await markActive(rp.context, [...touched]).catch((error: unknown) =>
    log.warn('activity not recorded for the scheduled reconcile', { error }),
  );
  log.info('batch consumed', { records: records.length, ...tally });
  countTally(metrics, tally);
  if (records.length > 0 && failures.length === records.length) throw new BatchFailedError(failures);
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The failed records that were on their last receive: SQS moves them to the DLQ instead of again. */
function lastReceivesOf(records: readonly SQSRecord[], failures: string[], maxReceiveCount: number) {
  const failed = new Set(failures);
  return records.filter(
    (record) =>
      failed.has(record.messageId) && Number(record.attributes?.ApproximateReceiveCount) >= maxReceiveCount,
  );
}

/** One invocation's outcomes as metrics (see `METRICS`). */
function countTally(metrics: MetricsRecorder, tally: ConsumeTally): void {
  metrics.add('Payouts', tally.paid);
  metrics.add('PayoutAmount', tally.paidAmount);
  for (const [reason, n] of Object.entries(tally.rejected)) metrics.add('Rejections', n, reason);
  for (const [reason, n] of Object.entries(tally.refused)) metrics.add('Refusals', n, reason);
  metrics.add('Duplicates', tally.duplicates);
  metrics.add('Retries', tally.retried);
  metrics.add('DlqBound', tally.dlqBound);
  metrics.add('UnderReplicated', tally.underReplicated);
  metrics.add('LockTakeovers', tally.takeovers);
  metrics.add('LockTimeouts', tally.lockTimeouts);
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
