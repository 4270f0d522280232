import { createHash } from 'node:crypto';

/**
 * The id of a batch derived from what it pays: the packet and the set of (user, amount) rows, in a canonical
 * form (sorted by user id), so that the same rows give the same id whatever the route (CLI or HTTP), the
 * file format (CSV or JSON), the order of the rows, blank lines or comments. Users are unique within a
 * batch, so the sorted list is a faithful fingerprint of what the batch pays.
 */
export function deriveBatchId(
  packetId: string,
  rows: ReadonlyArray<{ userId: string; amount: number }>,
): string {
  const canonical = rows
    .map((row) => `${row.userId}\t${row.amount}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256').update(`${packetId}\n`);
  for (const row of canonical) hash.update(`${row}\n`);
  return `bt_${hash.digest('base64url').slice(0, 22)}`;
}
