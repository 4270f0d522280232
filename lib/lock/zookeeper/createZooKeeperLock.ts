import type { ScriptClient } from '../createScript.ts';
import type { DistributedLock } from '../DistributedLock.ts';
import { ZooKeeperLock } from './ZooKeeperLock.ts';
import type { ZooKeeperSession } from './ZooKeeperSession.ts';
import { resolveZooKeeperLockOptions, type ZooKeeperLockOptions } from './zooKeeperLockOptions.ts';

/**
 * Creates the ZooKeeper lock (ephemeral sequential znodes, each waiter watching its predecessor) behind
 * the same interface as `createRedisLock`. `session` is the ZooKeeper connection; `redis` is the store the
 * fenced writes go to: it holds each resource's fence high-water mark, and runs the reads of
 * `acquireAndRead` and the scripts of `commit`. Throws `LockOptionsError` when an option is invalid.
 *
 * @example
 * const session = new ZooKeeperSession('127.0.0.1:2181/red-packets', { sessionTimeoutMs: 6000 });
 * const lock = createZooKeeperLock(session, redis);
 * await lock.using(packetId, async (lease, signal) => {
 *   if (signal.aborted) throw signal.reason;
 *   await lock.commit(lease, pay, keys, args); // refused if a newer holder exists
 * });
 */
export function createZooKeeperLock(
  session: ZooKeeperSession,
  redis: ScriptClient,
  options?: ZooKeeperLockOptions,
): DistributedLock {
  return new ZooKeeperLock(session, redis, resolveZooKeeperLockOptions(options));
}
