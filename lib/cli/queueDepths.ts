import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A queue's messages as SQS counts them (approximate), and its dead-letter queue's. */
export interface QueueDepths {
  /** Waiting to be received. */
  visible: number;
  /** Received by a consumer, not yet deleted. */
  inFlight: number;
  /** Waiting in the dead-letter queue (`null`: the queue has no redrive policy). */
  deadLetters: number | null;
}

/**
 * Reads the depths of `queueUrl` and of the dead-letter queue its redrive policy names (found once per
 * reader, by name, in the same account and endpoint). Two `GetQueueAttributes` per read.
 */
export function queueDepthsReader(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
): () => Promise<QueueDepths> {
  let deadLetterUrl: Promise<string | null> | undefined;
  const attributes = async (url: string, names: Array<'All'>) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }))).Attributes ??
    {};
  return async () => {
    const main = await attributes(queueUrl, ['All']);
    deadLetterUrl ??= (async () => {
      if (!main.RedrivePolicy) return null;
      const arn = (JSON.parse(main.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
      const name = arn?.split(':').pop();
      if (!name) return null;
      return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? null;
    })();
    const dlq = await deadLetterUrl;
    const dead = dlq ? await attributes(dlq, ['All']) : null;
    return {
      visible: Number(main.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(main.ApproximateNumberOfMessagesNotVisible ?? 0),
      deadLetters: dead ? Number(dead.ApproximateNumberOfMessages ?? 0) : null,
    };
  };
}
