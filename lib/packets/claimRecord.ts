import { claimIdFor } from './ids.ts';
import type { PayoutItem } from './schemas.ts';

/** Why an item was not paid. */
export type RejectReason = 'expired' | 'exhausted' | 'insufficient_budget' | 'unknown_packet';

/**
 * What the claims hash holds per item (JSON): `queued` until decided, then `paid` or `rejected` for good.
 * `id` is the claim id (claims) or `<batchId>:<itemId>` (batch payouts); it is also the ledger entry's id.
 */
export interface ClaimRecord {
  id: string;
  kind: PayoutItem['kind'];
  userId: string;
  status: 'queued' | 'paid' | 'rejected';
  amount?: number;
  fence?: number;
  reason?: RejectReason;
  requestedAt?: number;
  decidedAt?: number;
}

/** The claims-hash field of an item: one per (packet, user) for claims, per (batch, item) for payouts. */
export function recordField(item: PayoutItem): string {
  return item.kind === 'claim' ? `u:${item.userId}` : `b:${item.batchId}:${item.itemId}`;
}

/** The id of an item's record and ledger entry. */
export function recordId(packetId: string, item: PayoutItem): string {
  return item.kind === 'claim' ? claimIdFor(packetId, item.userId) : `${item.batchId}:${item.itemId}`;
}

/** Decodes a stored record; `null` when absent or unreadable. */
export function parseRecord(raw: unknown): ClaimRecord | null {
  if (typeof raw !== 'string') return null;
  try {
    const record = JSON.parse(raw) as ClaimRecord;
    return typeof record === 'object' && record !== null && typeof record.status === 'string' ? record : null;
  } catch {
    return null;
  }
}

export const isTerminal = (record: ClaimRecord | null): boolean =>
  record?.status === 'paid' || record?.status === 'rejected';
