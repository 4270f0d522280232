import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../lib/lock/backoff.ts';

describe('backoffDelay (full jitter)', () => {
  it('stays within [0, min(max, min × 2^attempt)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, minMs, extra, r) => {
          const maxMs = minMs + extra;
          const delay = backoffDelay(attempt, minMs, maxMs, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(maxMs, minMs * 2 ** attempt));
        },
      ),
    );
  });

  it('spreads over the whole interval once the cap is reached', () => {
    expect(backoffDelay(10, 1, 32, () => 0)).toBe(0);
    expect(backoffDelay(10, 1, 32, () => 0.999)).toBeCloseTo(31.97, 1);
    expect(backoffDelay(0, 1, 32, () => 0.5)).toBe(0.5);
  });
});
