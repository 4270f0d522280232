import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import queues from '../queues.json' with { type: 'json' };

/** The claims queue and its DLQ on an SQS-compatible endpoint. */
export interface LocalQueues {
  queueUrl: string;
  deadLetterQueueUrl: string;
}

/**
 * Creates (idempotently) the claims queue and its DLQ with the attributes the deployed stack gets from
 * infra/queues.json: visibility timeout, retention, and the redrive policy with `maxReceiveCount`.
 * `visibilityTimeoutSeconds` may be lowered for tests that wait for redeliveries.
 */
export async function ensureQueues(
  sqs: SQSClient,
  options: { service: string; stage: string; visibilityTimeoutSeconds?: number },
): Promise<LocalQueues> {
  const base = `${options.service}-${options.stage}-claims`;
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${base}-dlq`,
      Attributes: { MessageRetentionPeriod: String(queues.deadLetterRetentionSeconds) },
    }),
  );
  const dlqUrl = dlq.QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: base,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? queues.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(queues.claimsRetentionSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: queues.maxReceiveCount,
        }),
      },
    }),
  );
  return { queueUrl: main.QueueUrl ?? '', deadLetterQueueUrl: dlqUrl };
}
