import type { BatchStatus } from '../batches/batchStore.ts';
import type { OwnerReconcileReport, ReconcileReport } from '../packets/reconcile.ts';
import type { RowReport, SubmitFileReport } from './submitPayoutFile.ts';
import { describeFileErrors, describeRefused } from './submitPayoutFile.ts';

const SHOWN_ITEMS = 20;

const rate = (count: number, ms: number) => (ms > 0 ? `${Math.round((count * 1000) / ms)}/s` : '-');
const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** The human-readable report of `payouts submit`. */
export function formatSubmitReport(report: SubmitFileReport): string {
  const out = [`batch ${report.batchId} for packet ${report.packetId} from ${report.file}`];
  const skipped = report.invalid.length > 0 ? ` (${report.invalid.length} invalid, skipped)` : '';
  out.push(`  rows        ${report.rows}${skipped}`);
  if (report.invalid.length > 0) out.push(describeFileErrors(report.invalid).replace(/^/gm, '  '));
  if (report.refused.length > 0) out.push(describeRefused(report.refused).replace(/^/gm, '  '));
  out.push(
    `  sent        ${report.sent} in ${duration(report.sendMs)} (${rate(report.sent, report.sendMs)})`,
  );
  if (report.alreadyDecided > 0) {
    out.push(`  decided     ${report.alreadyDecided} before this submission (nothing sent for them)`);
  }
  if (report.unsent.length > 0) {
    out.push(
      `  NOT SENT    ${report.unsent.length} (recorded: the sweeper re-sends them, or submit the same file again):`,
    );
    for (const f of report.unsent.slice(0, SHOWN_ITEMS))
      out.push(`    line ${f.line}: ${f.code}: ${f.message}`);
  }
  if (report.status) {
    out.push(formatBatchStatus(report.status, report.rejected));
    if (report.settleMs !== null) {
      out.push(
        `  settled in  ${duration(report.settleMs)} (${rate(report.status.paid, report.settleMs)} paid)`,
      );
    }
  } else {
    out.push(`  follow it:  red-packets payouts status --batch ${report.batchId} --wait`);
  }
  out.push(
    report.outcome === 'paid'
      ? 'OK: every row is paid'
      : report.outcome === 'sent'
        ? `OK: sent ${report.sent} rows (not waited for: nothing is paid yet as far as this run knows)`
        : 'INCOMPLETE: see above',
  );
  return out.join('\n');
}

/**
 * Counts by state, the paid sum, and the first rejected items: by line when `byLine` (the submitted file's
 * rows) is given, else by user.
 */
export function formatBatchStatus(status: BatchStatus, byLine?: readonly RowReport[]): string {
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
  const items = byLine
    ? byLine.map(
        (r) => `    line ${r.line} (user ${r.userId}): ${r.code}${r.paidBy ? ` (paid by ${r.paidBy})` : ''}`,
      )
    : [...status.rejectedItems]
        .sort((a, b) => a.userId.localeCompare(b.userId))
        .map((r) => `    user ${r.userId}: ${r.reason}${r.paidBy ? ` (paid by ${r.paidBy})` : ''}`);
  out.push(...items.slice(0, SHOWN_ITEMS));
  if (items.length > SHOWN_ITEMS)
    out.push(`    … and ${items.length - SHOWN_ITEMS} more (--json lists them all)`);
  if (status.queued > 0)
    out.push(`  undecided   ${status.queued} (still queued, retrying, or in the dead-letter queue)`);
  return out.join('\n');
}

/** The human-readable report of `reconcile --owner`. */
export function formatOwnerReconcile(report: OwnerReconcileReport): string {
  const a = report.account;
  const out = [
    `account ${report.owner}: ${report.ok ? 'OK' : 'DISCREPANCIES'}`,
    `  credited    ${a.credited}`,
    `  balance     ${a.balance}`,
    `  paid out    ${a.paidOut}`,
    `  in packets  ${report.inOpenPackets} in ${a.openPackets} open packets`,
    `  refunded    ${a.refunded} (funded ${a.funded} in all)`,
  ];
  for (const d of report.discrepancies) out.push(`  ! ${d.check}: ${d.message}`);
  return out.join('\n');
}

/** The human-readable report of `reconcile`. */
export function formatReconcile(report: ReconcileReport): string {
  const out = [
    `packet ${report.packetId}: ${report.ok ? 'OK' : 'DISCREPANCIES'}`,
    `  total       ${report.totalAmount} in ${report.count} shares`,
    `  paid        ${report.paidAmount} in ${report.paidCount} payouts (ledger)`,
    ...(report.refunded > 0 ? [`  refunded    ${report.refunded} to the owner (settled)`] : []),
    `  remaining   ${report.remaining} in ${report.remainingCount} shares`,
    `  records     ${report.records.paid} paid, ${report.records.rejected} rejected, ${report.records.queued} queued`,
  ];
  for (const d of report.discrepancies) out.push(`  ! ${d.check}: ${d.message}`);
  return out.join('\n');
}
