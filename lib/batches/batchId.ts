import { createHash } from 'node:crypto';
import type { BatchRow } from './parseBatchFile.ts';

/**
 * The id of a batch derived from what it pays: the packet and every (user, amount) row in order. The same
 * file submitted twice (or resubmitted after a crash halfway) gets the same id, so its items, identified by
 * (batch, row), are paid at most once.
 */
export function deriveBatchId(
  packetId: string,
  rows: ReadonlyArray<Pick<BatchRow, 'userId' | 'amount'>>,
): string {
  const hash = createHash('sha256').update(packetId);
  for (const row of rows) hash.update(`\n${row.userId},${row.amount}`);
  return `bt_${hash.digest('base64url').slice(0, 22)}`;
}
