import { createFencedScript } from '../../lib/lock/index.ts';

/**
 * A fenced SET used by the tests: KEYS[2] = key, ARGV[3] = value. Writes only while the lease holds the
 * lock; returns the fence it wrote under.
 */
export const fencedSet = createFencedScript<number>(`
redis.call('SET', KEYS[2], ARGV[3])
return fence
`);

/** A fenced RPUSH used by the order tests: KEYS[2] = list, ARGV[3] = value. Returns the list's length. */
export const fencedPush = createFencedScript<number>(`
return redis.call('RPUSH', KEYS[2], ARGV[3])
`);
