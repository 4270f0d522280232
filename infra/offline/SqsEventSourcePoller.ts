import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** One SQS event source mapping, as serverless.yml declares it. */
export interface EventSourceSettings {
  queueUrl: string;
  queueArn: string;
  region: string;
  /** @defaultValue 10 */
  batchSize: number;
  /** Seconds to keep gathering records before invoking with a partial batch. @defaultValue 0 */
  maximumBatchingWindow: number;
  /** Concurrent pollers (Lambda scales to `maximumConcurrency`). */
  pollers: number;
  reportBatchItemFailures: boolean;
}

/** Invokes the function with an SQS event; resolves its result, rejects when the function failed. */
export type Invoke = (event: SQSEvent) => Promise<unknown>;

/** What the poller reports, for logs and tests. */
export interface PollerEvents {
  onBatch?(info: { records: number; failed: number; error?: unknown }): void;
}

/**
 * Polls a queue the way Lambda's SQS event source does: several concurrent pollers, long polling, batches
 * of up to `batchSize` gathered for up to `maximumBatchingWindow`, then one invocation per batch. On
 * success it deletes every record except those listed in `batchItemFailures` (or all of them, when the
 * function threw or answered an unknown id), which SQS redelivers after the visibility timeout and moves
 * to the DLQ after `maxReceiveCount`: exactly the redrive the deployed queue does.
 */
export class SqsEventSourcePoller {
  readonly #sqs: SQSClient;
  readonly #settings: EventSourceSettings;
  readonly #invoke: Invoke;
  readonly #events: PollerEvents;
  #running = false;
  #loops: Promise<void>[] = [];
  readonly #abort = new AbortController();

  constructor(sqs: SQSClient, settings: EventSourceSettings, invoke: Invoke, events: PollerEvents = {}) {
    this.#sqs = sqs;
    this.#settings = settings;
    this.#invoke = invoke;
    this.#events = events;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = Array.from({ length: this.#settings.pollers }, () => this.#loop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await Promise.allSettled(this.#loops);
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      try {
        const messages = await this.#gather();
        if (messages.length > 0) await this.#deliver(messages);
      } catch (error) {
        if (!this.#running) return;
        this.#events.onBatch?.({ records: 0, failed: 0, error });
        await new Promise((resolve) => setTimeout(resolve, 500)); // queue unreachable: back off
      }
    }
  }

  /** Up to batchSize messages: the first long poll waits for one, then the batching window fills the rest. */
  async #gather(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindow } = this.#settings;
    const batch = await this.#receive(Math.min(10, batchSize), 2);
    const windowEnds = Date.now() + maximumBatchingWindow * 1000;
    while (batch.length > 0 && batch.length < batchSize && Date.now() < windowEnds && this.#running) {
      const more = await this.#receive(Math.min(10, batchSize - batch.length), 0);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      batch.push(...more);
    }
    return batch;
  }

  async #receive(max: number, waitSeconds: number): Promise<Message[]> {
    const reply = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#settings.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.#abort.signal },
    );
    return reply.Messages ?? [];
  }

  async #deliver(messages: Message[]): Promise<void> {
    const records = messages.map((m) => this.#toRecord(m));
    let failed: Set<string>;
    let error: unknown;
    try {
      const result = (await this.#invoke({ Records: records })) as SQSBatchResponse | undefined;
      failed = this.#failures(result, records);
    } catch (e) {
      error = e;
      failed = new Set(records.map((r) => r.messageId)); // function error: the whole batch comes back
    }
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#settings.queueUrl,
          Entries: done
            .slice(i, i + 10)
            .map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    this.#events.onBatch?.({ records: records.length, failed: failed.size, error });
  }

  /** The ids to keep: batchItemFailures (when enabled); an unknown or empty id fails the whole batch. */
  #failures(result: SQSBatchResponse | undefined, records: SQSRecord[]): Set<string> {
    if (!this.#settings.reportBatchItemFailures) return new Set();
    const ids = new Set(records.map((r) => r.messageId));
    const failures = result?.batchItemFailures ?? [];
    const failed = new Set<string>();
    for (const { itemIdentifier } of failures) {
      if (!itemIdentifier || !ids.has(itemIdentifier)) return ids;
      failed.add(itemIdentifier);
    }
    return failed;
  }

  #toRecord(m: Message): SQSRecord {
    const a = m.Attributes ?? {};
    return {
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
        SentTimestamp: a.SentTimestamp ?? String(Date.now()),
        SenderId: a.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.#settings.queueArn,
      awsRegion: this.#settings.region,
    };
  }
}
