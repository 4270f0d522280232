import { type ClaimRecord, isTerminal, recordField, recordId } from './claimRecord.ts';
import type { PacketState } from './packetState.ts';
import type { RandomInt } from './random.ts';
import type { PayoutItem } from './schemas.ts';
import { nextShare } from './split.ts';

/** The decision for one item of a group. `fresh` decisions are written by the commit; others exist already. */
export interface Decision {
  item: PayoutItem;
  field: string;
  record: ClaimRecord;
  fresh: boolean;
}

/**
 * Decides every item of a group in order against one snapshot of the packet (taken under the lock):
 * already decided → the same record again; then expired; exhausted; for a batch payout, an amount that
 * does not leave 1 unit for every remaining share → insufficient_budget; else paid with the next share.
 * A repeated item inside the group gets the first one's decision. Pure: no I/O, integers only.
 */
export function decide(
  state: PacketState,
  items: readonly PayoutItem[],
  stored: ReadonlyArray<ClaimRecord | null>,
  ctx: { now: number; fence: number; random: RandomInt },
): Decision[] {
  let { remaining, remainingCount } = state;
  const byField = new Map<string, Decision>();
  return items.map((item, index) => {
    const field = recordField(item);
    const seen = byField.get(field);
    if (seen) return { ...seen, fresh: false };
    const existing = stored[index] ?? null;
    let decision: Decision;
    if (existing && isTerminal(existing)) {
      decision = { item, field, record: existing, fresh: false };
    } else {
      const base: ClaimRecord = {
        id: recordId(state.packetId, item),
        kind: item.kind,
        userId: item.userId,
        status: 'rejected',
        decidedAt: ctx.now,
        ...(existing?.requestedAt === undefined ? {} : { requestedAt: existing.requestedAt }),
      };
      let record: ClaimRecord;
      if (ctx.now >= state.expiresAt) record = { ...base, reason: 'expired' };
      else if (remainingCount < 1) record = { ...base, reason: 'exhausted' };
      else {
        const amount =
          item.kind === 'claim' ? nextShare(remaining, remainingCount, state.mode, ctx.random) : item.amount;
        if (amount > remaining - (remainingCount - 1)) record = { ...base, reason: 'insufficient_budget' };
        else {
          record = { ...base, status: 'paid', amount, fence: ctx.fence };
          remaining -= amount;
          remainingCount -= 1;
        }
      }
      decision = { item, field, record, fresh: true };
    }
    byField.set(field, decision);
    return decision;
  });
}
