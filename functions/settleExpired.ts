import type { Context } from 'aws-lambda';
import { createLogger } from '../lib/runtime/logger.ts';
import { getServices } from '../lib/runtime/services.ts';

/** The settler, on a schedule: refunds the remainder of every expired packet to its owner, once. */
export async function handler(
  _event: unknown,
  context: Context,
): Promise<{ settled: number; failed: number }> {
  const log = createLogger({ fn: context.functionName, requestId: context.awsRequestId });
  const { settled, failed } = await (await getServices()).packets.settleExpired();
  for (const s of settled) log.info('packet settled', { ...s });
  for (const f of failed) log.warn('packet not settled yet', { ...f });
  return { settled: settled.length, failed: failed.length };
}
