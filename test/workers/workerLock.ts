import type { Redis } from 'ioredis';
import { createLockBackend, createRedisLock, type LockBackendHandle } from '../../lib/lock/index.ts';

/**
 * The lock a test worker uses, from its environment: LOCK_BACKEND (unset: the Redis lock with LOCK_OPTIONS
 * as before; `zookeeper`: the ZooKeeper lock with LOCK_OPTIONS as its options), ZOOKEEPER_CONNECT and
 * ZOOKEEPER_SESSION_TIMEOUT_MS.
 */
export async function workerLock(redis: Redis): Promise<Omit<LockBackendHandle, 'backend'>> {
  const options = JSON.parse(process.env.LOCK_OPTIONS ?? '{}');
  if (process.env.LOCK_BACKEND !== 'zookeeper') {
    return { lock: createRedisLock(redis, options), close: async () => {} };
  }
  return createLockBackend(redis, {
    backend: 'zookeeper',
    zookeeperConnect: process.env.ZOOKEEPER_CONNECT ?? '',
    zookeeperSession: { sessionTimeoutMs: Number(process.env.ZOOKEEPER_SESSION_TIMEOUT_MS ?? 2000) },
    zookeeperLock: options,
  });
}
