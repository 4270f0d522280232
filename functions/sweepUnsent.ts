import type { Context } from 'aws-lambda';
import { type SweepReport, sweepUnsent } from '../lib/claims/sweepUnsent.ts';
import { getQueue } from '../lib/runtime/getQueue.ts';
import { invocationLogger } from '../lib/runtime/logger.ts';
import { createMetrics } from '../lib/runtime/metrics.ts';
import { getServices } from '../lib/runtime/services.ts';

/**
 * The sweeper, on a schedule (every minute deployed; every few seconds under `npm start`): re-sends the
 * messages of accepted claims and batch rows whose send was never confirmed. Counts `SweeperResends` and
 * `SweeperSendFailures`.
 */
export async function handler(_event: unknown, context: Context): Promise<SweepReport> {
  const log = invocationLogger(context);
  const metrics = createMetrics();
  try {
    const { packets, config } = await getServices();
    const report = await sweepUnsent(packets.context, getQueue(config), {
      resendAfterMs: config.RESEND_AFTER_MS,
    });
    metrics.add('SweeperResends', report.resent);
    metrics.add('SweeperSendFailures', report.failed);
    if (report.resent > 0 || report.failed > 0) log.warn('unsent records re-sent', { ...report });
    else log.info('sweep', { ...report });
    return report;
  } finally {
    metrics.publish();
  }
}
