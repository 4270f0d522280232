import { UnderReplicatedError } from './errors.ts';
import type { PacketsContext } from './PacketsContext.ts';

/** How durable a write must be before the pipeline acknowledges it (a 202, a deleted message, a sent row). */
export interface Durability {
  /**
   * Replicas that must confirm a write, with `WAIT`, before it is acknowledged. 0 on a single node (with
   * AOF) or a store that is durable on its own (MemoryDB, ElastiCache for Valkey with synchronous
   * durability). @defaultValue 0
   */
  readonly minReplicas: number;
  /** Longest `WAIT`, ms; a write not confirmed by then is reported as not durable. @defaultValue 500 */
  readonly waitTimeoutMs: number;
}

/** No `WAIT`: acknowledge once the primary has the write. */
export const NO_REPLICAS: Durability = { minReplicas: 0, waitTimeoutMs: 500 };

/**
 * Proves that everything the packet's primary held when this call began is on at least `minReplicas`
 * replicas, or throws {@link UnderReplicatedError} (retryable: the write stands on the primary, but a
 * failover now could lose it, so the caller must not acknowledge it yet).
 *
 * `WAIT` only waits for the calling connection's own writes, and what must be durable may have been
 * written by another client (a record another request created, a payout another consumer committed). So a
 * barrier write goes first, in the same pipeline: replication is one ordered stream, so a replica that has
 * the barrier has everything before it. `barrierKey` is the packet's (or the account's) `barrier` key, so on
 * a Redis Cluster the pipeline runs on that shard (`WAIT` is per shard). One round trip; none at all when
 * `minReplicas` is 0.
 *
 *   primary ── record / commit ── barrier ── WAIT 1 500 ──▶ 1: acknowledge
 *   replica ────────────── (replicates) ──── ack ──┘       0: UnderReplicatedError, retried
 */
export async function confirmDurable(ctx: PacketsContext, barrierKey: string): Promise<void> {
  const { minReplicas, waitTimeoutMs } = ctx.durability;
  if (minReplicas <= 0) return;
  const results = await ctx.redis
    .pipeline()
    .set(barrierKey, String(ctx.now()), 'PX', 60_000)
    .wait(minReplicas, waitTimeoutMs)
    .exec();
  const [setResult, waitResult] = results ?? [];
  if (setResult?.[0]) throw setResult[0];
  if (waitResult?.[0]) throw waitResult[0];
  const replicas = Number(waitResult?.[1] ?? 0);
  if (replicas < minReplicas) throw new UnderReplicatedError(barrierKey, replicas, minReplicas);
}
