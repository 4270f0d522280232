import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import queues from '../infra/queues.json' with { type: 'json' };
import { consumeRecords } from '../lib/claims/consumeRecords.ts';
import { invocationLogger } from '../lib/runtime/logger.ts';
import { createMetrics } from '../lib/runtime/metrics.ts';
import { getServices } from '../lib/runtime/services.ts';

/**
 * The claims-queue consumer (SQS event source with ReportBatchItemFailures). Its outcomes are published as
 * metrics (EMF) when the batch is done, a whole-batch failure included.
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const log = invocationLogger(context);
  const metrics = createMetrics();
  try {
    const { packets, config } = await getServices();
    return await consumeRecords(packets, event.Records, {
      remainingMs: context.getRemainingTimeInMillis(),
      maxLockWaitMs: config.LOCK_WAIT_MS,
      maxReceiveCount: queues.maxReceiveCount,
      log,
      metrics,
    });
  } finally {
    metrics.publish();
  }
}
