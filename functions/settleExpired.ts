import type { Context } from 'aws-lambda';
import { markActive } from '../lib/packets/activity.ts';
import { invocationLogger } from '../lib/runtime/logger.ts';
import { createMetrics } from '../lib/runtime/metrics.ts';
import { getServices } from '../lib/runtime/services.ts';

/**
 * The settler, on a schedule: refunds the remainder of every expired packet to its owner, once. Counts
 * `SettleRefunds`, `SettleRefundAmount` and `SettleFailures`, and lists what it settled for the scheduled
 * reconcile.
 */
export async function handler(
  _event: unknown,
  context: Context,
): Promise<{ settled: number; failed: number }> {
  const log = invocationLogger(context);
  const metrics = createMetrics();
  try {
    const { packets } = await getServices();
    const { settled, failed } = await packets.settleExpired();
    for (const s of settled) log.info('packet settled', { ...s });
    for (const f of failed) log.warn('packet not settled yet', { ...f });
    metrics.add('SettleRefunds', settled.length);
    metrics.add(
      'SettleRefundAmount',
      settled.reduce((sum, s) => sum + s.refunded, 0),
    );
    metrics.add('SettleFailures', failed.length);
    await markActive(
      packets.context,
      settled.map((s) => s.packetId),
    ).catch((error: unknown) => log.warn('activity not recorded for the scheduled reconcile', { error }));
    return { settled: settled.length, failed: failed.length };
  } finally {
    metrics.publish();
  }
}
