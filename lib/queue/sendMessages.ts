import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueMessage } from './queueMessage.ts';

/** Options of {@link sendMessages}. */
export interface SendOptions {
  /** Concurrent SendMessageBatch calls. @defaultValue 8 */
  senders?: number;
  /** Attempts per entry that SQS reports as failed (when the fault is not the sender's). @defaultValue 5 */
  maxAttempts?: number;
  /** Called after each chunk with the number of messages sent so far. */
  onProgress?: (sent: number) => void;
  /**
   * Called with the indexes of the messages SQS took in each call, before the chunk counts as done (awaited:
   * callers confirm the sends in Redis here).
   */
  onSent?: (indexes: number[]) => void | Promise<void>;
}

/** A message SQS would not take; `permanent` when retrying cannot help (SenderFault). */
export interface SendFailure {
  index: number;
  code: string;
  message: string;
  permanent: boolean;
}

/**
 * Sends `messages` to the queue with SendMessageBatch in chunks of 10, several chunks in flight, retrying
 * the entries SQS reports as failed (exponential backoff with jitter) unless the fault is the sender's.
 * A chunk whose call fails as a whole is retried the same way. Resolves with what could not be sent.
 */
export async function sendMessages(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  messages: readonly QueueMessage[],
  options: SendOptions = {},
): Promise<{ sent: number; failures: SendFailure[] }> {
  const senders = options.senders ?? 8;
  const maxAttempts = options.maxAttempts ?? 5;
  const failures: SendFailure[] = [];
  let sent = 0;
  let nextChunk = 0;
  const chunks = Math.ceil(messages.length / 10);
  const worker = async () => {
    while (nextChunk < chunks) {
      const start = 10 * nextChunk++;
      let pending = messages.slice(start, start + 10).map((message, i) => ({ index: start + i, message }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        let reply: SendMessageBatchCommandOutput | undefined;
        let callError: unknown;
        try {
          reply = (await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: pending.map((p) => ({ Id: String(p.index), MessageBody: JSON.stringify(p.message) })),
            }),
          )) as SendMessageBatchCommandOutput;
        } catch (error) {
          callError = error;
        }
        const failedIds = new Map((reply?.Failed ?? []).map((f) => [f.Id ?? '', f]));
        const retry: typeof pending = [];
        const took: number[] = [];
        for (const p of pending) {
          const failed = callError ? undefined : failedIds.get(String(p.index));
          if (!callError && !failed) {
            took.push(p.index);
            continue;
          }
          const permanent = failed?.SenderFault === true;
          if (permanent || attempt >= maxAttempts) {
            failures.push({
              index: p.index,
              code: failed?.Code ?? (callError as Error | undefined)?.name ?? 'unknown',
              message: failed?.Message ?? (callError as Error | undefined)?.message ?? 'send failed',
              permanent,
            });
          } else retry.push(p);
        }
        if (took.length > 0) await options.onSent?.(took);
        sent += took.length;
        pending = retry;
        if (pending.length > 0)
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(2000, 50 * 2 ** attempt)));
      }
      options.onProgress?.(sent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(senders, chunks) }, worker));
  return { sent, failures: failures.sort((a, b) => a.index - b.index) };
}
