import type { Context } from 'aws-lambda';
import { reconcileActive } from '../lib/packets/reconcileActive.ts';
import { invocationLogger } from '../lib/runtime/logger.ts';
import { createMetrics } from '../lib/runtime/metrics.ts';
import { getServices } from '../lib/runtime/services.ts';

/**
 * The scheduled reconcile (every 5 minutes): checks the invariants of the packets with recent activity,
 * a bounded number per run; logs each broken packet and counts `PacketsReconciled`,
 * `ReconcileDiscrepancies` (the alarm's metric) and `ReconcileBacklog`.
 */
export async function handler(
  _event: unknown,
  context: Context,
): Promise<{ checked: number; discrepancies: number; backlog: number }> {
  const log = invocationLogger(context);
  const metrics = createMetrics();
  try {
    const { packets } = await getServices();
    const report = await reconcileActive(packets.context);
    let discrepancies = 0;
    for (const { packetId, discrepancies: found } of report.broken) {
      discrepancies += found.length;
      for (const { check, message } of found) {
        log.error('reconcile discrepancy', { packetId, check, detail: message, outcome: 'discrepancy' });
      }
    }
    metrics.add('PacketsReconciled', report.checked);
    metrics.add('ReconcileDiscrepancies', discrepancies);
    metrics.add('ReconcileBacklog', report.backlog);
    log.info('reconciled', { checked: report.checked, discrepancies, backlog: report.backlog });
    return { checked: report.checked, discrepancies, backlog: report.backlog };
  } finally {
    metrics.publish();
  }
}
