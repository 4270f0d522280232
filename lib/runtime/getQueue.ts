import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsQueue, type MessageQueue } from '../queue/MessageQueue.ts';
import { awsClientConfig } from './awsClientConfig.ts';
import type { Config } from './config.ts';

let queue: MessageQueue | undefined;

/**
 * The claims queue (claims, batch payouts and the sweeper's re-sends all go through it), created on first
 * use from the container's `config` and reused by later invocations. Only the functions that send import
 * this module (createClaim, createPayoutBatch, sweepUnsent), so only their bundles carry the SQS client;
 * the consumer receives through its event source.
 */
export function getQueue(
  config: Pick<Config, 'AWS_REGION' | 'SQS_ENDPOINT' | 'CLAIMS_QUEUE_URL'>,
): MessageQueue {
  queue ??= createSqsQueue(
    new SQSClient(awsClientConfig(config.AWS_REGION, config.SQS_ENDPOINT)),
    config.CLAIMS_QUEUE_URL,
  );
  return queue;
}
