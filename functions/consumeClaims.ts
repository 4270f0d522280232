import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { consumeRecords } from '../lib/claims/consumeRecords.ts';
import { createLogger } from '../lib/runtime/logger.ts';
import { getServices } from '../lib/runtime/services.ts';

/** The claims-queue consumer (SQS event source with ReportBatchItemFailures). */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const log = createLogger({ fn: context.functionName, requestId: context.awsRequestId });
  const { packets, config } = await getServices();
  return consumeRecords(packets, event.Records, {
    remainingMs: context.getRemainingTimeInMillis(),
    maxLockWaitMs: config.LOCK_WAIT_MS,
    log,
  });
}
