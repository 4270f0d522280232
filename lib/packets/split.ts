import type { RandomInt } from './random.ts';

/** How a packet is shared out. */
export type SplitMode = 'random' | 'equal';

/**
 * The next share of a packet with `remaining` units left for `remainingCount` shares
 * (`remaining >= remainingCount >= 1`). Integers only.
 *
 * - `random` ("double mean"): uniform in `[1, 2 × remaining / remainingCount]`, capped so that every later
 *   share can still get 1 unit; the last share takes the rest. Expected value = the current mean.
 * - `equal`: `ceil(remaining / remainingCount)`, so all shares differ by at most 1 unit.
 */
export function nextShare(
  remaining: number,
  remainingCount: number,
  mode: SplitMode,
  random: RandomInt,
): number {
  if (!Number.isSafeInteger(remaining) || !Number.isSafeInteger(remainingCount) || remainingCount < 1) {
    throw new RangeError(`cannot split ${remaining} into ${remainingCount} shares`);
  }
  if (remaining < remainingCount)
    throw new RangeError(`${remaining} units cannot make ${remainingCount} shares`);
  if (remainingCount === 1) return remaining;
  if (mode === 'equal') return Math.ceil(remaining / remainingCount);
  const doubleMean = Math.floor((2 * remaining) / remainingCount);
  const max = Math.min(doubleMean, remaining - (remainingCount - 1));
  return random(1, Math.max(1, max));
}
