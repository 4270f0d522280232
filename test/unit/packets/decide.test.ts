import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClaimRecord, shareDelta } from '../../../lib/packets/claimRecord.ts';
import { type DecideSnapshot, type Decision, decide } from '../../../lib/packets/decide.ts';
import { claimIdFor } from '../../../lib/packets/ids.ts';
import type { PacketState } from '../../../lib/packets/packetState.ts';
import { createRandom } from '../../../lib/packets/random.ts';
import type { PayoutItem } from '../../../lib/packets/schemas.ts';

const NOW = 1_800_000_000_000;
const packet = (overrides: Partial<PacketState> = {}): PacketState => ({
  packetId: 'pk_test',
  createdBy: 'op:test',
  refunded: 0,
  refundedCount: 0,
  settledAt: undefined,
  totalAmount: 1000,
  count: 10,
  remaining: 1000,
  remainingCount: 10,
  reserved: 0,
  mode: 'random',
  createdAt: NOW - 1000,
  expiresAt: NOW + 60_000,
  ...overrides,
});
const claim = (userId: string): PayoutItem => ({ kind: 'claim', userId });
const payout = (batchId: string, userId: string, amount: number): PayoutItem => ({
  kind: 'payout',
  batchId,
  userId,
  amount,
});
/** The record the accept path (door or batch submission) writes for an item. */
const queued = (item: PayoutItem): ClaimRecord =>
  item.kind === 'claim'
    ? {
        id: claimIdFor('pk_test', item.userId),
        kind: 'claim',
        userId: item.userId,
        status: 'queued',
        reserved: true,
        requestedAt: NOW - 5,
      }
    : {
        id: `${item.batchId}/${item.userId}`,
        kind: 'payout',
        userId: item.userId,
        batchId: item.batchId,
        status: 'queued',
        amount: item.amount,
        requestedAt: NOW - 5,
      };
const snapshot = (items: readonly PayoutItem[], overrides: Partial<DecideSnapshot> = {}): DecideSnapshot => ({
  records: items.map(queued),
  payees: new Map(),
  repeatBatches: new Set(),
  ...overrides,
});
const ctx = { now: NOW, fence: 3, random: createRandom(42) };
const recordOf = (d: Decision | undefined) => (d && d.type !== 'refused' ? d.record : undefined);

describe('decide', () => {
  it('pays recorded claims from the running remainder and records the fence', () => {
    const items = [claim('a'), claim('b')];
    const decisions = decide(packet(), items, snapshot(items), ctx);
    expect(decisions.map((d) => [d.type, recordOf(d)?.status, recordOf(d)?.fence])).toEqual([
      ['fresh', 'paid', 3],
      ['fresh', 'paid', 3],
    ]);
    expect(recordOf(decisions[0])?.requestedAt).toBe(NOW - 5);
  });

  it('repeats the first decision for a duplicate in the group and for an already decided item', () => {
    const paid: ClaimRecord = { id: 'x', kind: 'claim', userId: 'old', status: 'paid', amount: 77, fence: 1 };
    const items = [claim('a'), claim('old'), claim('a')];
    const records = [queued(claim('a')), paid, queued(claim('a'))];
    const decisions = decide(packet(), items, snapshot(items, { records }), ctx);
    expect(decisions[1]).toMatchObject({ type: 'duplicate', record: paid });
    expect(recordOf(decisions[2])).toEqual(recordOf(decisions[0]));
    expect(decisions[2]?.type).toBe('duplicate');
  });

  it('refuses a message with no record (never accepted), and a batch item whose record pays another amount', () => {
    const items = [claim('stranger'), payout('b1', 'u1', 150), payout('nobatch', 'u2', 10)];
    const records = [null, queued(payout('b1', 'u1', 100)), null];
    const decisions = decide(packet(), items, snapshot(items, { records }), ctx);
    expect(decisions.map((d) => (d.type === 'refused' ? d.reason : d.type))).toEqual([
      'not_recorded',
      'item_conflict',
      'not_recorded',
    ]);
  });

  it('a user already paid on the packet is rejected, naming who paid them, unless the batch allows repeats', () => {
    const items = [payout('round-2', 'alice', 100), payout('round-2', 'bob', 100), claim('carol')];
    const payees = new Map([
      ['alice', 'b:round-1/alice'],
      ['carol', 'b:round-1/carol'],
    ]);
    const strict = decide(packet(), items, snapshot(items, { payees }), ctx);
    const rounds = decide(
      packet(),
      items,
      snapshot(items, { payees, repeatBatches: new Set(['round-2']) }),
      ctx,
    );

    expect(strict.map((d) => [recordOf(d)?.status, recordOf(d)?.reason, recordOf(d)?.paidBy])).toEqual([
      ['rejected', 'already_paid_by_batch', 'round-1'],
      ['paid', undefined, undefined],
      ['rejected', 'already_paid_by_batch', 'round-1'],
    ]);
    // A batch that allows repeat payees pays alice again; a claim never repeats a batch payee.
    expect(rounds.map((d) => recordOf(d)?.status)).toEqual(['paid', 'paid', 'rejected']);
  });

  it('within one group, the second batch paying the same user is rejected as already paid by the first', () => {
    const items = [payout('b1', 'dan', 100), payout('b2', 'dan', 100), claim('dan')];
    const decisions = decide(packet(), items, snapshot(items), ctx);
    expect(decisions.map((d) => [recordOf(d)?.status, recordOf(d)?.reason, recordOf(d)?.paidBy])).toEqual([
      ['paid', undefined, undefined],
      ['rejected', 'already_paid_by_batch', 'b1'],
      ['rejected', 'already_paid_by_batch', 'b1'],
    ]);
  });

  it('rejects when expired, then when exhausted', () => {
    const one = [claim('a')];
    expect(recordOf(decide(packet({ expiresAt: NOW }), one, snapshot(one), ctx)[0])?.reason).toBe('expired');
    const two = [claim('a'), claim('b')];
    const last = decide(packet({ remaining: 5, remainingCount: 1 }), two, snapshot(two), ctx);
    expect(last.map((d) => recordOf(d)?.amount ?? recordOf(d)?.reason)).toEqual([5, 'exhausted']);
  });

  it('a batch item (or a claim without a reservation) takes only a share no reserved claim holds', () => {
    const unreserved = (item: PayoutItem): ClaimRecord => {
      const { reserved: _held, ...record } = queued(item);
      return record;
    };
    const items = [payout('b1', 'p1', 10), claim('legacy'), claim('held')];
    const records = [queued(items[0] as PayoutItem), unreserved(claim('legacy')), queued(claim('held'))];
    const statuses = (reserved: number) =>
      decide(packet({ count: 3, reserved }), items, snapshot(items, { records }), ctx).map((d) => [
        recordOf(d)?.status,
        recordOf(d)?.reason,
      ]);

    // Two shares nobody holds: the batch item and the legacy claim take them; the held claim has its own.
    expect(statuses(1)).toEqual([
      ['paid', undefined],
      ['paid', undefined],
      ['paid', undefined],
    ]);
    // Every share held by claims (this group's 'held' and two others queued elsewhere): only 'held' is paid.
    expect(statuses(3)).toEqual([
      ['rejected', 'exhausted'],
      ['rejected', 'exhausted'],
      ['paid', undefined],
    ]);
  });

  it('a reserved claim rejected in the group gives its share back to a later item of the group', () => {
    const items = [claim('alice'), payout('b1', 'bob', 10)];
    const payees = new Map([['alice', 'b:b0/alice']]); // alice was paid by a batch before her claim
    const state = packet({ count: 2, reserved: 2, remaining: 900, remainingCount: 1 });
    const decisions = decide(state, items, snapshot(items, { payees }), ctx);
    expect(decisions.map((d) => [recordOf(d)?.status, recordOf(d)?.reason])).toEqual([
      ['rejected', 'already_paid_by_batch'],
      ['paid', undefined],
    ]);
  });

  it('pays batch items that fit in order and rejects the rest with insufficient_budget, keeping the row amount', () => {
    const items = [300, 500, 400, 190].map((amount, i) => payout('b1', `u${i}`, amount));
    // 1000 for 10 shares: an item must leave 1 unit for each of the other remaining shares.
    const decisions = decide(packet(), items, snapshot(items), ctx);
    expect(decisions.map((d) => recordOf(d)?.status)).toEqual(['paid', 'paid', 'rejected', 'paid']);
    expect(recordOf(decisions[2])).toMatchObject({ reason: 'insufficient_budget', amount: 400 });
  });

  it('never pays more than the remainder, more shares than remain, or anyone twice (any group, any duplicates)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 30 }).map((u) => claim(`u${u}`)),
            fc
              .tuple(
                fc.constantFrom('b1', 'b2'),
                fc.integer({ min: 0, max: 30 }),
                fc.integer({ min: 1, max: 300 }),
              )
              .map(([b, u, a]) => payout(b, `u${u}`, a)),
          ),
          { maxLength: 80 },
        ),
        fc.integer(),
        (count, extra, items, seed) => {
          const state = packet({
            count,
            remainingCount: count,
            totalAmount: count + extra,
            remaining: count + extra,
          });
          const decisions = decide(state, items, snapshot(items), { ...ctx, random: createRandom(seed) });
          const fresh = decisions.flatMap((d) =>
            d.type === 'fresh' && d.record.status === 'paid' ? [d] : [],
          );
          const paid = fresh.reduce((s, d) => s + (d.record.amount ?? 0), 0);
          expect(paid).toBeLessThanOrEqual(state.remaining);
          expect(fresh.length).toBeLessThanOrEqual(count);
          expect(new Set(fresh.map((d) => d.item.userId)).size).toBe(fresh.length);
          // A packet's last share, when a claim takes it, is the whole remainder.
          if (fresh.length === count && fresh.at(-1)?.item.kind === 'claim')
            expect(paid).toBe(state.remaining);
        },
      ),
    );
  });

  it('a payment without a reservation never takes the reserved counter past count (any group, any holds)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 20 })
          .chain((count) => fc.tuple(fc.constant(count), fc.integer({ min: 0, max: count }))),
        fc.array(
          fc.oneof(
            fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()).map(([u, held]) => ({
              item: claim(`u${u}`),
              held,
            })),
            fc
              .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 50 }))
              .map(([u, a]) => ({ item: payout('b1', `u${u}`, a), held: false })),
          ),
          { maxLength: 60 },
        ),
        fc.integer(),
        ([count, reserved], entries, seed) => {
          const items = entries.map((e) => e.item);
          const records = entries.map(({ item, held }) => {
            const { reserved: _flag, ...record } = queued(item);
            return held ? { ...record, reserved: true as const } : record;
          });
          const state = packet({
            count,
            remainingCount: count,
            reserved,
            totalAmount: count * 100,
            remaining: count * 100,
          });
          const decisions = decide(state, items, snapshot(items, { records }), {
            ...ctx,
            random: createRandom(seed),
          });
          let taken = reserved;
          for (const d of decisions) {
            if (d.type !== 'fresh') continue;
            taken += shareDelta(d.record);
            if (shareDelta(d.record) > 0) expect(taken).toBeLessThanOrEqual(count);
          }
        },
      ),
    );
  });
});
