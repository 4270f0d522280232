import type { Redis } from 'ioredis';
import type { DistributedLock } from '../lock/index.ts';
import type { RandomInt } from './random.ts';

/** What the packet operations share: the Redis client, the packet lock, and injectable time and randomness. */
export interface PacketsContext {
  /** An ioredis client; the lock must use the same server (the commit checks its lock key). */
  readonly redis: Redis;
  readonly lock: DistributedLock;
  /** Prefix of the packet keys. @defaultValue `'rp:'` */
  readonly keyPrefix: string;
  /** @defaultValue `Date.now` */
  readonly now: () => number;
  /** @defaultValue cryptographic `createRandom()` */
  readonly random: RandomInt;
}
