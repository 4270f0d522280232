import { claimIdFor } from './ids.ts';
import type { PayoutItem } from './schemas.ts';

/** Why an item was decided as not paid. Stored in its record; the item is decided for good. */
export type RejectReason =
  | 'expired'
  | 'exhausted'
  | 'insufficient_budget'
  /** The user was already paid by another batch of this packet (`paidBy` names it). */
  | 'already_paid_by_batch'
  /** The user was already paid by a claim on this packet (`paidBy` is the claim id). */
  | 'already_paid_by_claim';

/**
 * Why a queue message was refused without deciding anything (no record is written, nothing is paid): its
 * packet does not exist, the system never recorded what it asks to pay, or the recorded item pays a
 * different amount than the message.
 */
export type RefuseReason = 'unknown_packet' | 'not_recorded' | 'item_conflict';

/**
 * What the records hash holds per item (JSON). A record is written when the item is accepted (a claim at
 * the door, a batch row at submission) as `queued`, then once decided it is `paid` or `rejected` for good.
 * `id` is the claim id (claims) or `<batchId>/<userId>` (batch items); it is also the ledger entry's id.
 */
export interface ClaimRecord {
  id: string;
  kind: PayoutItem['kind'];
  userId: string;
  /** The batch of a batch item. */
  batchId?: string;
  status: 'queued' | 'paid' | 'rejected';
  /**
   * Claims: the door reserved one of the packet's shares for it (`reserved` in the packet hash), so it is
   * paid from that share; a rejection gives the share back. Absent on batch items and on claims recorded
   * before the door reserved: those take a share only when they are paid, from the shares nobody holds.
   */
  reserved?: true;
  /** Claims: the share paid. Batch items: the row's amount, from submission on (paid or not). */
  amount?: number;
  fence?: number;
  reason?: RejectReason;
  /** With `already_paid_by_*`: the claim id or batch id that paid this user first. */
  paidBy?: string;
  requestedAt?: number;
  decidedAt?: number;
}

/**
 * The records-hash field of an item: `u:<userId>` for a claim (one per user and packet), `b:<batchId>/<userId>`
 * for a batch item (one per user and batch; a batch id never contains `/`).
 */
export function recordField(item: Pick<PayoutItem, 'userId'> & { kind: string; batchId?: string }): string {
  return item.kind === 'claim' ? `u:${item.userId}` : `b:${item.batchId}/${item.userId}`;
}

/** The id of an item's record and ledger entry. */
export function recordId(packetId: string, item: PayoutItem): string {
  return item.kind === 'claim' ? claimIdFor(packetId, item.userId) : `${item.batchId}/${item.userId}`;
}

/** Who paid a user first, from the record field the payees index holds: a claim, or a batch. */
export function payerOf(
  packetId: string,
  field: string,
): { reason: 'already_paid_by_claim' | 'already_paid_by_batch'; paidBy: string } {
  if (field.startsWith('u:')) {
    return { reason: 'already_paid_by_claim', paidBy: claimIdFor(packetId, field.slice(2)) };
  }
  const slash = field.indexOf('/');
  return { reason: 'already_paid_by_batch', paidBy: field.slice(2, slash < 0 ? undefined : slash) };
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

/**
 * What deciding `record` (as decided) does to the packet's `reserved` counter: a reserved claim rejected
 * gives its share back (−1); a payment without a reservation (a batch item, a claim from before the door
 * reserved) takes a share nobody held (+1); a reserved claim paid keeps the share it had (0).
 */
export function shareDelta(record: ClaimRecord): -1 | 0 | 1 {
  if (record.reserved) return record.status === 'rejected' ? -1 : 0;
  return record.status === 'paid' ? 1 : 0;
}
