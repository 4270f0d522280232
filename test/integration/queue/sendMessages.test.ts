import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsEmulator, startSqsEmulator } from '../../../infra/local/sqsEmulator.ts';
import type { QueueMessage } from '../../../lib/queue/queueMessage.ts';
import { sendMessages } from '../../../lib/queue/sendMessages.ts';

let emulator: SqsEmulator;
let sqs: SQSClient;
beforeAll(async () => {
  emulator = await startSqsEmulator(0);
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
});
afterAll(() => emulator.stop());

const payouts = (n: number): QueueMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    v: 2,
    kind: 'payout',
    batchId: 'bt_test',
    packetId: 'pk_test',
    userId: `u${i}`,
    amount: 100,
    requestedAt: 1,
  }));

async function depth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages);
}

describe('sendMessages (fauxqs)', () => {
  it('sends every message in batches of 10 with several senders', async () => {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'send-all' }));
    const progress: number[] = [];
    const confirmed: number[] = [];
    const result = await sendMessages(sqs, QueueUrl, payouts(95), {
      senders: 4,
      onProgress: (n) => progress.push(n),
      onSent: (indexes) => void confirmed.push(...indexes),
    });
    expect(result).toEqual({ sent: 95, failures: [] });
    expect(confirmed.sort((a, b) => a - b)).toEqual(Array.from({ length: 95 }, (_, i) => i));
    expect(await depth(QueueUrl)).toBe(95);
    expect(progress).toHaveLength(10);
    expect(Math.max(...progress)).toBe(95);
  });

  it('retries entries that SQS reports as failed, and gives up on sender faults', async () => {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'send-retry' }));
    // Failure injection around the real emulator: the first attempt of entries 3 and 7 fails transiently;
    // entry 5 is always refused as the sender's fault.
    const seen = new Set<string>();
    const flaky = {
      async send(command: SendMessageBatchCommand) {
        const entries = command.input.Entries ?? [];
        const refuse = entries.filter(
          (e) => e.Id === '5' || ((e.Id === '3' || e.Id === '7') && !seen.has(e.Id)),
        );
        for (const e of refuse) seen.add(e.Id ?? '');
        command.input.Entries = entries.filter((e) => !refuse.includes(e));
        const reply = await sqs.send(command);
        return {
          ...reply,
          Failed: refuse.map((e) => ({
            Id: e.Id,
            Code: e.Id === '5' ? 'InvalidParameterValue' : 'InternalError',
            SenderFault: e.Id === '5',
          })),
        };
      },
    } as unknown as SQSClient;

    const confirmed: number[] = [];
    const result = await sendMessages(flaky, QueueUrl, payouts(10), {
      senders: 1,
      onSent: (indexes) => void confirmed.push(...indexes),
    });

    expect(result.sent).toBe(9);
    expect(confirmed.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]); // never the refused one
    expect(result.failures).toEqual([
      { index: 5, code: 'InvalidParameterValue', message: 'send failed', permanent: true },
    ]);
    expect(await depth(QueueUrl)).toBe(9);
  });
});
