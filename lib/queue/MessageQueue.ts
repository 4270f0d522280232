import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage } from './queueMessage.ts';
import { type SendFailure, type SendOptions, sendMessages } from './sendMessages.ts';

/** The claims queue, as every sender in the project sees it: one message, or many in batches of 10. */
export interface MessageQueue {
  /** Sends one message; rejects with the SDK's error (see `isDefiniteRefusal`). */
  send(message: QueueMessage): Promise<void>;
  /** Sends many (see {@link sendMessages}); resolves with what could not be sent. */
  sendAll(
    messages: readonly QueueMessage[],
    options?: SendOptions,
  ): Promise<{ sent: number; failures: SendFailure[] }>;
}

/** The claims queue on SQS (or an SQS-compatible emulator: the client's endpoint decides). */
export function createSqsQueue(sqs: Pick<SQSClient, 'send'>, queueUrl: string): MessageQueue {
  return {
    async send(message) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    },
    sendAll: (messages, options) => sendMessages(sqs, queueUrl, messages, options),
  };
}
