import type { Cluster, Redis } from 'ioredis';
import type { DistributedLock } from '../lock/index.ts';
import type { Durability } from './confirmDurable.ts';
import type { RandomInt } from './random.ts';

/** A Redis the packets live in: one node (or a primary with replicas), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** What the packet operations share: the Redis client, the packet lock, and injectable time and randomness. */
export interface PacketsContext {
  /**
   * An ioredis client holding the packets. The lock's fenced commit runs here: a Redis lock must use this
   * server (the commit checks its lock key); a ZooKeeper lock records its fences here.
   */
  readonly redis: RedisClient;
  readonly lock: DistributedLock;
  /** Prefix of the packet keys. @defaultValue `'rp:'` */
  readonly keyPrefix: string;
  /** @defaultValue `Date.now` */
  readonly now: () => number;
  /** @defaultValue cryptographic `createRandom()` */
  readonly random: RandomInt;
  /** What a write needs before it is acknowledged. @defaultValue `NO_REPLICAS` (no `WAIT`) */
  readonly durability: Durability;
}
