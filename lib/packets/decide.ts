import {
  type ClaimRecord,
  isTerminal,
  payerOf,
  type RefuseReason,
  recordField,
  shareDelta,
} from './claimRecord.ts';
import type { PacketState } from './packetState.ts';
import type { RandomInt } from './random.ts';
import type { PayoutItem } from './schemas.ts';
import { nextShare } from './split.ts';

/**
 * The decision for one item of a group:
 * - `fresh`: decided now (paid or rejected); the commit writes it.
 * - `duplicate`: already decided (a redelivery, a re-sent message, or the same item twice in the group);
 *   `record` is the decision that stands, nothing is written.
 * - `refused`: the message asks for something the system never accepted (no record, or a record that pays
 *   a different amount); nothing is written and nothing is paid.
 */
export type Decision =
  | { type: 'fresh' | 'duplicate'; item: PayoutItem; field: string; record: ClaimRecord }
  | { type: 'refused'; item: PayoutItem; field: string; reason: RefuseReason };

/** What `decide` reads, all of it under the packet's lock. */
export interface DecideSnapshot {
  /** The stored record of each item, in order (`null` when there is none). */
  records: ReadonlyArray<ClaimRecord | null>;
  /** User id → the record field of the payment that paid them first (the packet's payees index). */
  payees: ReadonlyMap<string, string>;
  /** Batches of this group recorded with `allowRepeatPayees`. */
  repeatBatches: ReadonlySet<string>;
}

/**
 * Decides every item of a group in order against one snapshot of the packet (taken under the lock):
 * no record → refused `not_recorded`; a batch item whose record pays another amount → refused
 * `item_conflict`; already decided (or repeated in the group) → that decision again; then, for a user
 * already paid on this packet by another claim or batch → `already_paid_by_*` (unless the item's batch
 * allows repeat payees); expired; exhausted (no share for it: a claim the door reserved a share for is paid
 * from that share, anything else only from a share nobody holds, `count − reserved`); an amount that does
 * not leave 1 unit for every remaining share → `insufficient_budget`; else paid. Pure: no I/O, integers
 * only.
 */
export function decide(
  state: PacketState,
  items: readonly PayoutItem[],
  snapshot: DecideSnapshot,
  ctx: { now: number; fence: number; random: RandomInt },
): Decision[] {
  let { remaining, remainingCount } = state;
  // Shares neither paid nor held by a reserved claim, as this group's decisions leave them.
  let free = state.count - state.reserved;
  const payees = new Map(snapshot.payees);
  const byField = new Map<string, ClaimRecord>();
  return items.map((item, index): Decision => {
    const field = recordField(item);
    const stored = snapshot.records[index] ?? null;
    if (!stored) return { type: 'refused', item, field, reason: 'not_recorded' };
    if (item.kind === 'payout' && stored.amount !== item.amount) {
      return { type: 'refused', item, field, reason: 'item_conflict' };
    }
    const seen = byField.get(field);
    if (seen) return { type: 'duplicate', item, field, record: seen };
    if (isTerminal(stored)) {
      byField.set(field, stored);
      return { type: 'duplicate', item, field, record: stored };
    }
    const rejected = (reason: NonNullable<ClaimRecord['reason']>, paidBy?: string): ClaimRecord => ({
      ...stored,
      status: 'rejected',
      reason,
      ...(paidBy === undefined ? {} : { paidBy }),
      decidedAt: ctx.now,
    });
    let record: ClaimRecord;
    const payer = payees.get(item.userId);
    const repeatAllowed = item.kind === 'payout' && snapshot.repeatBatches.has(item.batchId);
    if (payer !== undefined && payer !== field && !repeatAllowed) {
      const { reason, paidBy } = payerOf(state.packetId, payer);
      record = rejected(reason, paidBy);
    } else if (ctx.now >= state.expiresAt) record = rejected('expired');
    else if (remainingCount < 1 || (!stored.reserved && free < 1)) record = rejected('exhausted');
    else {
      const amount =
        item.kind === 'claim' ? nextShare(remaining, remainingCount, state.mode, ctx.random) : item.amount;
      if (amount > remaining - (remainingCount - 1)) record = rejected('insufficient_budget');
      else {
        record = { ...stored, status: 'paid', amount, fence: ctx.fence, decidedAt: ctx.now };
        remaining -= amount;
        remainingCount -= 1;
        if (payer === undefined) payees.set(item.userId, field);
      }
    }
    free -= shareDelta(record);
    byField.set(field, record);
    return { type: 'fresh', item, field, record };
  });
}
