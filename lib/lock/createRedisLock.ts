import type { DistributedLock } from './DistributedLock.ts';
import { type RedisLockOptions, resolveLockOptions } from './lockOptions.ts';
import type { LockRedisClient } from './RedisLock.ts';
import { RedisLock } from './RedisLock.ts';

/**
 * Creates a Redis lock. `redis` is an ioredis client (single node, or a cluster: every key of one resource
 * shares the hash tag `{resource}`). Throws `LockOptionsError` when an option is invalid.
 *
 * @example
 * const lock = createRedisLock(new Redis(url), { ttlMs: 5000 });
 * await lock.using(packetId, async (lease, signal) => {
 *   if (signal.aborted) throw signal.reason;
 *   await commit.run(redis, lock.guard(lease), keys, args); // refused if the lease was lost
 * });
 */
export function createRedisLock(redis: LockRedisClient, options?: RedisLockOptions): DistributedLock {
  return new RedisLock(redis, resolveLockOptions(options));
}
