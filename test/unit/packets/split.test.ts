import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../lib/packets/random.ts';
import { nextShare, type SplitMode } from '../../../lib/packets/split.ts';

/** Splits a whole packet share by share, recording the mean at each draw. */
function splitAll(total: number, count: number, mode: SplitMode, seed: number) {
  const random = createRandom(seed);
  const shares: Array<{ amount: number; mean: number }> = [];
  let remaining = total;
  for (let left = count; left >= 1; left--) {
    const amount = nextShare(remaining, left, mode, random);
    shares.push({ amount, mean: remaining / left });
    remaining -= amount;
  }
  return shares;
}

const packets = fc.integer({ min: 1, max: 2000 }).chain((count) =>
  fc.record({
    count: fc.constant(count),
    total: fc.integer({ min: count, max: count * 10_000 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  }),
);

describe('nextShare', () => {
  it('random ("double mean"): sums exactly, every share >= 1 and <= 2 × the mean at draw time', () => {
    fc.assert(
      fc.property(packets, ({ total, count, seed }) => {
        const shares = splitAll(total, count, 'random', seed);
        expect(shares.reduce((s, x) => s + x.amount, 0)).toBe(total);
        const bad = shares.filter(
          ({ amount, mean }, i) =>
            !Number.isInteger(amount) || amount < 1 || (i < shares.length - 1 && amount > 2 * mean),
        );
        expect(bad).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('equal: sums exactly and shares differ by at most 1 unit', () => {
    fc.assert(
      fc.property(packets, ({ total, count, seed }) => {
        const amounts = splitAll(total, count, 'equal', seed).map((s) => s.amount);
        expect(amounts.reduce((s, x) => s + x, 0)).toBe(total);
        expect(Math.max(...amounts) - Math.min(...amounts)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('is replayable with a seed and varies without one', () => {
    const a = splitAll(100_000, 50, 'random', 7).map((s) => s.amount);
    expect(splitAll(100_000, 50, 'random', 7).map((s) => s.amount)).toEqual(a);
    expect(splitAll(100_000, 50, 'random', 8).map((s) => s.amount)).not.toEqual(a);
  });

  it.each([
    [5, 0],
    [2, 3],
    [1.5, 1],
    [Number.MAX_SAFE_INTEGER + 2, 1],
  ])('refuses to split %d into %d shares', (remaining, count) => {
    expect(() => nextShare(remaining, count, 'random', createRandom(1))).toThrow(RangeError);
  });
});
