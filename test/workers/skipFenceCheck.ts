import type { Redis } from 'ioredis';
import type { DistributedLock } from '../../lib/lock/index.ts';

/**
 * The control of the stale-holder tests: the same ZooKeeper lock, except that `commit()` skips every check
 * that the lease is still current (no local session check, and the fence compared with the Redis high-water
 * mark is raised to that mark first), the way a client that "trusts its lock" would commit.
 */
export function skipFenceCheck(lock: DistributedLock, redis: Redis): DistributedLock {
  return {
    acquire: (resource, options) => lock.acquire(resource, options),
    acquireAndRead: (resource, reads, options) => lock.acquireAndRead(resource, reads, options),
    tryAcquire: (resource) => lock.tryAcquire(resource),
    release: (lease) => lock.release(lease),
    extend: (lease, ttlMs) => lock.extend(lease, ttlMs),
    using: (resource, routine, options) => lock.using(resource, routine, options),
    guard: (lease) => lock.guard(lease),
    async commit(lease, script, keys, args, options) {
      const mark = Number((await redis.get(lease.key)) ?? 0);
      const guard = { ...lock.guard(lease), fence: Math.max(mark, lease.fence) };
      const reply = await script.run(redis, guard, keys, args);
      if (options?.release) await lock.release(lease).catch(() => false);
      return reply;
    },
  };
}
