import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ensureQueues, type LocalQueues } from '../../infra/local/ensureQueues.ts';
import { type SqsEmulator, startSqsEmulator } from '../../infra/local/sqsEmulator.ts';
import { SqsEventSourcePoller } from '../../infra/offline/SqsEventSourcePoller.ts';
import { consumeRecords } from '../../lib/claims/consumeRecords.ts';
import type { RedPackets } from '../../lib/packets/index.ts';
import { createSqsQueue, type MessageQueue } from '../../lib/queue/MessageQueue.ts';
import { createLogger, type Logger } from '../../lib/runtime/logger.ts';
import { queueDepth } from './queueDepth.ts';

/** A private SQS emulator (fauxqs, in this process) with the claims queue and DLQ, per test file. */
export interface QueueFixture {
  readonly endpoint: string;
  readonly sqs: SQSClient;
  readonly queues: LocalQueues;
  /** The claims queue as the project sends to it. */
  readonly queue: MessageQueue;
  /** A fresh claims queue + DLQ (each test its own, so counts are exact). */
  freshQueues(): Promise<{ queues: LocalQueues; queue: MessageQueue }>;
  /** Messages visible + in flight. */
  depth(queueUrl?: string): Promise<number>;
  /**
   * Consumes `queueUrl` with the project's Lambda-like event source and the real consumer, until the
   * returned stop() is called (also after each test).
   */
  consume(rp: RedPackets, queueUrl?: string, log?: Logger): { stop(): Promise<void> };
  /**
   * Receives and consumes up to `max` messages (default: until the queue is empty) in this call, with the
   * real consumer, deleting what it acknowledges, as the event source does. Resolves how many it received.
   */
  drain(rp: RedPackets, queueUrl?: string, max?: number): Promise<number>;
}

let next = 0;

export function useQueue(options: { visibilityTimeoutSeconds?: number } = {}): QueueFixture {
  let emulator: SqsEmulator | undefined;
  let sqs: SQSClient | undefined;
  let queues: LocalQueues | undefined;
  const pollers = new Set<SqsEventSourcePoller>();
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useQueue(): not started yet (call inside a test)');
    return value;
  };
  const create = async () =>
    ensureQueues(need(sqs), {
      service: 'test',
      stage: `q${++next}`,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 2,
    });
  beforeAll(async () => {
    emulator = await startSqsEmulator(0);
    sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    queues = await create();
  });
  afterEach(async () => {
    await Promise.all([...pollers].map((p) => p.stop()));
    pollers.clear();
  });
  afterAll(async () => {
    sqs?.destroy();
    await emulator?.stop();
  });
  return {
    get endpoint() {
      return need(emulator).endpoint;
    },
    get sqs() {
      return need(sqs);
    },
    get queues() {
      return need(queues);
    },
    get queue() {
      return createSqsQueue(need(sqs), need(queues).queueUrl);
    },
    async freshQueues() {
      const fresh = await create();
      return { queues: fresh, queue: createSqsQueue(need(sqs), fresh.queueUrl) };
    },
    depth: (queueUrl = need(queues).queueUrl) => queueDepth(need(sqs), queueUrl),
    async drain(rp, queueUrl = need(queues).queueUrl, max = Number.POSITIVE_INFINITY) {
      const log = createLogger({}, 'silent');
      let received = 0;
      while (received < max) {
        const { Messages = [] } = await need(sqs).send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, max - received),
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) return received;
        received += Messages.length;
        const records = Messages.map(
          (m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '' }) as SQSRecord,
        );
        const result = await consumeRecords(rp, records, { remainingMs: 30_000, maxLockWaitMs: 2000, log });
        const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length > 0) {
          await need(sqs).send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        }
      }
      return received;
    },
    consume(rp, queueUrl = need(queues).queueUrl, log = createLogger({}, 'silent')) {
      const poller = new SqsEventSourcePoller(
        need(sqs),
        {
          queueUrl,
          queueArn: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`,
          region: 'us-east-1',
          batchSize: 10,
          maximumBatchingWindow: 0,
          pollers: 2,
          reportBatchItemFailures: true,
        },
        (event) => consumeRecords(rp, event.Records, { remainingMs: 30_000, maxLockWaitMs: 2000, log }),
      );
      poller.start();
      pollers.add(poller);
      return { stop: () => poller.stop() };
    },
  };
}
