import type { BatchStatus } from '../batches/batchStore.ts';
import type { ReconcileReport } from '../packets/reconcile.ts';
import type { SubmitFileReport } from './submitPayoutFile.ts';
import { describeFileErrors } from './submitPayoutFile.ts';

const SHOWN_ITEMS = 20;

const rate = (count: number, ms: number) => (ms > 0 ? `${Math.round((count * 1000) / ms)}/s` : '-');
const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** The human-readable report of `payouts submit`. */
export function formatSubmitReport(report: SubmitFileReport): string {
  const out = [`batch ${report.batchId} for packet ${report.packetId} from ${report.file}`];
  const skipped = report.invalid.length > 0 ? ` (${report.invalid.length} invalid, skipped)` : '';
  out.push(`  rows        ${report.rows}${skipped}`);
  if (report.invalid.length > 0) out.push(describeFileErrors(report.invalid).replace(/^/gm, '  '));
  out.push(
    `  sent        ${report.sent} in ${duration(report.sendMs)} (${rate(report.sent, report.sendMs)})`,
  );
  if (report.sendFailures.length > 0) {
    out.push(`  NOT SENT    ${report.sendFailures.length} (submit the same file again to send them):`);
    for (const f of report.sendFailures.slice(0, SHOWN_ITEMS))
      out.push(`    line ${f.itemId}: ${f.code}: ${f.message}`);
  }
  if (report.status) {
    out.push(formatBatchStatus(report.status, 'line'));
    if (report.settleMs !== null) {
      out.push(
        `  settled in  ${duration(report.settleMs)} (${rate(report.status.paid, report.settleMs)} paid)`,
      );
    }
  } else {
    out.push(`  follow it:  red-packets payouts status --batch ${report.batchId} --wait`);
  }
  out.push(report.exitCode === 0 ? 'OK: every row was paid' : 'INCOMPLETE: see above');
  return out.join('\n');
}

/** Counts by state, the paid sum, and the first rejected items (`item` names their ids). */
export function formatBatchStatus(status: BatchStatus, item = 'item'): string {
  const rejected = Object.values(status.rejected).reduce((a, b) => a + b, 0);
  const out = [
    `  items       ${status.items}`,
    `  paid        ${status.paid} (sum ${status.paidAmount})`,
    `  rejected    ${rejected}${
      rejected > 0
        ? ` (${Object.entries(status.rejected)
            .map(([r, n]) => `${r}: ${n}`)
            .join(', ')})`
        : ''
    }`,
  ];
  const sorted = [...status.rejectedItems].sort(
    (a, b) => Number(a.itemId) - Number(b.itemId) || a.itemId.localeCompare(b.itemId),
  );
  for (const r of sorted.slice(0, SHOWN_ITEMS))
    out.push(`    ${item} ${r.itemId} (user ${r.userId}): ${r.reason}`);
  if (sorted.length > SHOWN_ITEMS)
    out.push(`    … and ${sorted.length - SHOWN_ITEMS} more (--json lists them all)`);
  if (status.queued > 0)
    out.push(`  undecided   ${status.queued} (still queued, retrying, or in the dead-letter queue)`);
  return out.join('\n');
}

/** The human-readable report of `reconcile`. */
export function formatReconcile(report: ReconcileReport): string {
  const out = [
    `packet ${report.packetId}: ${report.ok ? 'OK' : 'DISCREPANCIES'}`,
    `  total       ${report.totalAmount} in ${report.count} shares`,
    `  paid        ${report.paidAmount} in ${report.paidCount} payouts (ledger)`,
    `  remaining   ${report.remaining} in ${report.remainingCount} shares`,
    `  records     ${report.records.paid} paid, ${report.records.rejected} rejected, ${report.records.queued} queued`,
  ];
  for (const d of report.discrepancies) out.push(`  ! ${d}`);
  return out.join('\n');
}
