import { createFencedScript } from '../../lib/lock/index.ts';

/**
 * Fenced SET of a bench counter: KEYS[2] = counter, ARGV[3] = value. Refused (nothing written) once the
 * lease no longer holds the lock; returns the fence it wrote under.
 */
export const fencedCounterSet = createFencedScript<number>(`
redis.call('SET', KEYS[2], ARGV[3])
return fence
`);
