import { randomInt } from 'node:crypto';

/** Uniform integer in `[min, max]` (both inclusive). */
export type RandomInt = (min: number, max: number) => number;

/**
 * Cryptographic randomness by default (users must not predict their share); with a `seed`, a small
 * deterministic generator (SplitMix32) so tests can replay a split. Never seed in production.
 */
export function createRandom(seed?: number): RandomInt {
  if (seed === undefined) return (min, max) => (max <= min ? min : randomInt(min, max + 1));
  let state = seed >>> 0;
  const next32 = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return (min, max) => {
    if (max <= min) return min;
    // 53 random bits, then scale: bias below 2^-20 for ranges up to 2^33, fine for tests.
    const fraction = (next32() * 2 ** 21 + (next32() >>> 11)) / 2 ** 53;
    return min + Math.floor(fraction * (max - min + 1));
  };
}
