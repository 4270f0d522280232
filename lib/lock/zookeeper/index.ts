/**
 * The ZooKeeper lock backend: ephemeral sequential znodes, fenced in Redis. Kept out of `lib/lock/index.ts`
 * so that importing the lock never loads the ZooKeeper client; `createLockBackend` imports this module
 * only when `'zookeeper'` is chosen.
 */

export { createZooKeeperLock } from './createZooKeeperLock.ts';
export type { ZooKeeperLock } from './ZooKeeperLock.ts';
export { type SessionHandle, ZooKeeperSession, type ZooKeeperSessionOptions } from './ZooKeeperSession.ts';
export type { ZooKeeperLockEvent, ZooKeeperLockOptions } from './zooKeeperLockOptions.ts';
