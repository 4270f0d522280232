import { createRedisLock, type DistributedLock } from '../lock/index.ts';
import { creditAccount, readAccount } from './accounts.ts';
import { type Durability, NO_REPLICAS } from './confirmDurable.ts';
import { createPacket, type SenderLimits } from './createPacket.ts';
import { exportLedger } from './exportLedger.ts';
import { listPayouts } from './listPayouts.ts';
import type { PacketsContext, RedisClient } from './PacketsContext.ts';
import { type ProcessOptions, processItems } from './processItems.ts';
import { createRandom, type RandomInt } from './random.ts';
import { readClaim } from './readClaim.ts';
import { readPacket } from './readPacket.ts';
import { type ReconcileOptions, reconcile, reconcileOwner } from './reconcile.ts';
import { recordClaim } from './recordClaim.ts';
import { MAX_AMOUNT } from './schemas.ts';
import { settleExpired, settlePacket } from './settlePacket.ts';

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
  /** @defaultValue `DEFAULT_SENDER_LIMITS` */
  senderLimits?: SenderLimits;
  /**
   * How long a settled packet's keys stay (ms) before Redis drops them: the window to export its ledger
   * and answer disputes. @defaultValue `DEFAULT_RETENTION_MS` (30 days)
   */
  retentionMs?: number;
}

/** 100 open packets per sender; a packet up to the largest amount. */
export const DEFAULT_SENDER_LIMITS: SenderLimits = { maxOpenPackets: 100, maxPacketAmount: MAX_AMOUNT };
/**
 * 30 days: a month-end accounting run and a user's dispute both fall inside it, and at about 470 bytes
 * per paid claim (measured: `npm run bench:memory`) a month of 10 million claims is about 4.3 GiB.
 */
export const DEFAULT_RETENTION_MS = 30 * 24 * 3_600_000;

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
  const limits = options.senderLimits ?? DEFAULT_SENDER_LIMITS;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  return {
    context: ctx,
    /** Creates a packet funded from `owner`'s balance. */
    createPacket: (input: unknown, owner: string) => createPacket(ctx, input, owner, limits),
    /**
     * An operator campaign in one call: credits `owner` with the packet's amount under `reference` (once),
     * then creates the packet from that balance. If creating fails, the credit stays in the balance.
     */
    async fundAndCreatePacket(input: unknown, owner: string, reference: string) {
      const amount = (input as { totalAmount?: unknown } | null)?.totalAmount;
      await creditAccount(ctx, { owner, amount, reference });
      return createPacket(ctx, input, owner, limits);
    },
    readPacket: (packetId: string) => readPacket(ctx, packetId),
    listPayouts: (packetId: string, page?: { limit?: number; cursor?: string }) =>
      listPayouts(ctx, packetId, page),
    exportLedger: (packetId: string) => exportLedger(ctx, packetId),
    readClaim: (claimId: string) => readClaim(ctx, claimId),
    recordClaim: (packetId: string, userId: string) => recordClaim(ctx, packetId, userId),
    processItems: (packetId: string, items: readonly unknown[], opts: ProcessOptions) =>
      processItems(ctx, packetId, items, opts),
    reconcile: (packetId: string, opts?: ReconcileOptions) => reconcile(ctx, packetId, opts),
    reconcileOwner: (owner: string) => reconcileOwner(ctx, owner),
    /** Credits `{owner, amount, reference}` once per reference. */
    creditAccount: (input: unknown) => creditAccount(ctx, input),
    readAccount: (owner: string) => readAccount(ctx, owner),
    settlePacket: (packetId: string) => settlePacket(ctx, packetId, { retentionMs }),
    settleExpired: (limit?: number) =>
      settleExpired(ctx, { retentionMs, ...(limit === undefined ? {} : { limit }) }),
  };
}

export type RedPackets = ReturnType<typeof createRedPackets>;
