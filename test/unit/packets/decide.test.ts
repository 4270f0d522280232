import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClaimRecord } from '../../../lib/packets/claimRecord.ts';
import { decide } from '../../../lib/packets/decide.ts';
import type { PacketState } from '../../../lib/packets/packetState.ts';
import { createRandom } from '../../../lib/packets/random.ts';
import type { PayoutItem } from '../../../lib/packets/schemas.ts';

const NOW = 1_800_000_000_000;
const packet = (overrides: Partial<PacketState> = {}): PacketState => ({
  packetId: 'pk_test',
  totalAmount: 1000,
  count: 10,
  remaining: 1000,
  remainingCount: 10,
  mode: 'random',
  createdAt: NOW - 1000,
  expiresAt: NOW + 60_000,
  ...overrides,
});
const claim = (userId: string): PayoutItem => ({ kind: 'claim', userId });
const ctx = { now: NOW, fence: 3, random: createRandom(42) };

describe('decide', () => {
  it('pays claims from the running remainder and records the fence', () => {
    const decisions = decide(packet(), [claim('a'), claim('b')], [null, null], ctx);
    expect(decisions.map((d) => [d.record.status, d.record.fence, d.fresh])).toEqual([
      ['paid', 3, true],
      ['paid', 3, true],
    ]);
  });

  it('repeats the first decision for a duplicate in the group and for an already decided item', () => {
    const paid: ClaimRecord = { id: 'x', kind: 'claim', userId: 'old', status: 'paid', amount: 77, fence: 1 };
    const decisions = decide(packet(), [claim('a'), claim('old'), claim('a')], [null, paid, null], ctx);
    expect(decisions[1]).toMatchObject({ fresh: false, record: paid });
    expect(decisions[2]?.record).toEqual(decisions[0]?.record);
    expect(decisions[2]?.fresh).toBe(false);
  });

  it('decides a queued record (accepted but not processed yet)', () => {
    const queued: ClaimRecord = {
      id: 'x',
      kind: 'claim',
      userId: 'a',
      status: 'queued',
      requestedAt: NOW - 5,
    };
    const [decision] = decide(packet(), [claim('a')], [queued], ctx);
    expect(decision).toMatchObject({ fresh: true, record: { status: 'paid', requestedAt: NOW - 5 } });
  });

  it('rejects when expired, then when exhausted', () => {
    expect(decide(packet({ expiresAt: NOW }), [claim('a')], [null], ctx)[0]?.record.reason).toBe('expired');
    const last = decide(
      packet({ remaining: 5, remainingCount: 1 }),
      [claim('a'), claim('b')],
      [null, null],
      ctx,
    );
    expect(last.map((d) => d.record.amount ?? d.record.reason)).toEqual([5, 'exhausted']);
  });

  it('pays batch items that fit in order and rejects the rest with insufficient_budget', () => {
    const items: PayoutItem[] = [300, 500, 400, 190].map((amount, i) => ({
      kind: 'payout',
      batchId: 'b1',
      itemId: String(i),
      userId: `u${i}`,
      amount,
    }));
    // 1000 for 10 shares: an item must leave 1 unit for each of the other remaining shares.
    const decisions = decide(packet(), items, [null, null, null, null], ctx);
    expect(decisions.map((d) => d.record.status)).toEqual(['paid', 'paid', 'rejected', 'paid']);
    expect(decisions[2]?.record.reason).toBe('insufficient_budget');
  });

  it('never pays more than the remainder nor more shares than remain (any group, any duplicates)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 80 }),
        fc.integer(),
        (count, extra, users, seed) => {
          const state = packet({
            count,
            remainingCount: count,
            totalAmount: count + extra,
            remaining: count + extra,
          });
          const items = users.map((u) => claim(`u${u}`));
          const decisions = decide(
            state,
            items,
            items.map(() => null),
            { ...ctx, random: createRandom(seed) },
          );
          const fresh = decisions.filter((d) => d.fresh && d.record.status === 'paid');
          const paid = fresh.reduce((s, d) => s + (d.record.amount ?? 0), 0);
          expect(paid).toBeLessThanOrEqual(state.remaining);
          expect(fresh.length).toBeLessThanOrEqual(count);
          expect(new Set(fresh.map((d) => d.item.userId)).size).toBe(fresh.length);
          if (fresh.length === count) expect(paid).toBe(state.remaining);
        },
      ),
    );
  });
});
