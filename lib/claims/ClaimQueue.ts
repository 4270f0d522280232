import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage } from './queueMessage.ts';

/** Where accepted claims go: the SQS claims queue (or anything that can stand in for it in a test). */
export interface ClaimQueue {
  send(message: QueueMessage): Promise<void>;
}

/** The claims queue on SQS (or an SQS-compatible emulator: the client's endpoint decides). */
export function createSqsClaimQueue(sqs: SQSClient, queueUrl: string): ClaimQueue {
  return {
    async send(message) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    },
  };
}
