import { createScript } from '../createScript.ts';
import { FENCE_HIGH_WATER_MARK_PRELUDE_LUA, type FENCE_NOT_HELD } from '../fencedScript.ts';

/**
 * Records a new ZooKeeper holder's fence in the resource's high-water mark as soon as it acquires, so that
 * an older holder (whose session expired while it was stalled) is refused from that moment on, not only
 * after the new holder's first write: the guarantee the Redis lock gets from overwriting its lock key.
 *
 * KEYS[1] fence key; ARGV[1] fence; ARGV[2] now (unused). Returns 1 recorded (or equal), -1 a higher
 * fence was seen already (the ensemble's zxids went backwards: see `LockFenceError`).
 */
export const raiseFence = createScript<1 | typeof FENCE_NOT_HELD>(`${FENCE_HIGH_WATER_MARK_PRELUDE_LUA}
return 1`);
