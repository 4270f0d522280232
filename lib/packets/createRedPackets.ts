import { createRedisLock, type DistributedLock } from '../lock/index.ts';
import { type Durability, NO_REPLICAS } from './confirmDurable.ts';
import { createPacket } from './createPacket.ts';
import { listPayouts } from './listPayouts.ts';
import type { PacketsContext, RedisClient } from './PacketsContext.ts';
import { type ProcessOptions, processItems } from './processItems.ts';
import { createRandom, type RandomInt } from './random.ts';
import { readClaim } from './readClaim.ts';
import { readPacket } from './readPacket.ts';
import { type ReconcileOptions, reconcile } from './reconcile.ts';
import { recordClaim } from './recordClaim.ts';

/** Options of {@link createRedPackets}. */
export interface RedPacketsOptions {
  /** The packet lock. @defaultValue `createRedisLock(redis)` (timestamp + GETSET, 5 s TTL) */
  lock?: DistributedLock;
  /** @defaultValue `'rp:'` */
  keyPrefix?: string;
  /** @defaultValue `Date.now` */
  now?: () => number;
  /** @defaultValue cryptographic randomness */
  random?: RandomInt;
  /** @defaultValue `NO_REPLICAS`: no `WAIT` */
  durability?: Durability;
}

/** The red-packet operations bound to one Redis and one lock. */
export function createRedPackets(redis: RedisClient, options: RedPacketsOptions = {}) {
  const ctx: PacketsContext = {
    redis,
    lock: options.lock ?? createRedisLock(redis),
    keyPrefix: options.keyPrefix ?? 'rp:',
    now: options.now ?? Date.now,
    random: options.random ?? createRandom(),
    durability: options.durability ?? NO_REPLICAS,
  };
  return {
    context: ctx,
    createPacket: (input: unknown) => createPacket(ctx, input),
    readPacket: (packetId: string) => readPacket(ctx, packetId),
    listPayouts: (packetId: string, page?: { limit?: number; cursor?: string }) =>
      listPayouts(ctx, packetId, page),
    readClaim: (claimId: string) => readClaim(ctx, claimId),
    recordClaim: (packetId: string, userId: string) => recordClaim(ctx, packetId, userId),
    processItems: (packetId: string, items: readonly unknown[], opts: ProcessOptions) =>
      processItems(ctx, packetId, items, opts),
    reconcile: (packetId: string, opts?: ReconcileOptions) => reconcile(ctx, packetId, opts),
  };
}

export type RedPackets = ReturnType<typeof createRedPackets>;
