import type { LogFields, Logger } from '../../lib/runtime/logger.ts';

/** A log line as the test sees it. */
export type CapturedLine = LogFields & { level: string; message: string };

/** A logger that keeps its lines, so a test can read what an operator would see. */
export function captureLogger(): Logger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const make = (context: LogFields): Logger => ({
    info: (message, fields) => lines.push({ level: 'info', message, ...context, ...fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...context, ...fields }),
    error: (message, fields) => lines.push({ level: 'error', message, ...context, ...fields }),
    child: (fields) => make({ ...context, ...fields }),
  });
  return Object.assign(make({}), { lines });
}

/**
 * The payouts the consumer acknowledged (its `paid` lines, and `duplicate` lines of paid items: their
 * messages were deleted), keyed `<packetId> <claimId or batchId/userId>` → amount. This is the harness's own
 * record of what the pipeline promised, to compare with what Redis holds after a fault.
 */
export function acknowledgedPayouts(lines: readonly CapturedLine[]): Map<string, number> {
  const acked = new Map<string, number>();
  for (const line of lines) {
    const paid = line.message === 'paid' || (line.message === 'duplicate' && line.outcome === 'already_paid');
    if (!paid) continue;
    const id = line.claimId ?? `${line.batchId}/${line.userId}`;
    acked.set(`${line.packetId} ${id}`, Number(line.amount));
  }
  return acked;
}
