import { createScript, isRetryableError, type Lease, LockError, LockTimeoutError } from '../lock/index.ts';
import { parseRecord, type RefuseReason, type RejectReason, recordField } from './claimRecord.ts';
import { commitGroupArgs, commitGroupScript } from './commitGroup.ts';
import { confirmDurable } from './confirmDurable.ts';
import { type Decision, decide } from './decide.ts';
import { CommitConflictError, PacketError, StoreUnavailableError, ValidationError } from './errors.ts';
import { ownerKeys, packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { isPacketId } from './packetIdSchema.ts';
import { parsePacketState } from './packetState.ts';
import { parseOrThrow, payoutItemSchema } from './schemas.ts';

/**
 * What became of one item. `paid` / `rejected`: decided, now (`duplicate: false`) or before (`duplicate:
 * true`: a redelivered or re-sent message; nothing changed). `refused`: the message was not acted on and
 * nothing was written (see {@link RefuseReason}). `retry`: nothing was decided for it; hand it back to the
 * queue.
 */
export type ItemOutcome =
  | { status: 'paid'; id: string; amount: number; fence: number; duplicate: boolean }
  | { status: 'rejected'; id: string; reason: RejectReason; paidBy?: string; duplicate: boolean }
  | { status: 'refused'; reason: RefuseReason }
  | { status: 'retry'; error: Error };

/** Options of {@link processItems}. */
export interface ProcessOptions {
  /**
   * Epoch ms by which the call must have returned (on Lambda: now + remaining time − a safety margin).
   * Waiting for the lock stops {@link COMMIT_RESERVE_MS} before it, so the commit still fits.
   */
  deadline: number;
  /** Called with the decisions after they are made and before they are committed (instrumentation, tests). */
  onDecided?: (decisions: readonly Decision[]) => void | Promise<void>;
  /** Called once per lock acquisition, when it holds the lock or has given up at its deadline (metrics). */
  onLock?: (lock: LockObservation) => void;
}

/** How one acquisition of the packet's lock went, as {@link ProcessOptions.onLock} sees it. */
export interface LockObservation {
  /** From asking for the lock to holding it (the state reads pipelined behind it included), or giving up. */
  waitedMs: number;
  /** The lock was taken over from an expired holder (`lease.takeover`). */
  takeover: boolean;
  /** The acquisition gave up at its deadline (`LockTimeoutError`). */
  timedOut: boolean;
}

/**
 * Deletes what an acquisition left for a packet that does not exist (its lock's fence counters), unless
 * the packet exists after all or someone holds its lock. KEYS[1] packet hash, KEYS[2] lock, KEYS[3..] the
 * fence keys. Returns 1 when it deleted, 0 otherwise.
 */
const forgetUnknownPacket = createScript<0 | 1>(`
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('DEL', KEYS[3], KEYS[4])
return 1`);

/** Time kept back from the deadline for the commit round trip. */
export const COMMIT_RESERVE_MS = 200;

/** Why the commit script refused a group, by its reply code. */
const CONFLICTS = {
  [-3]: 'packet_missing',
  [-4]: 'below_zero',
  [-5]: 'already_decided',
  [-6]: 'shares_taken',
} as const satisfies Record<number, CommitConflictError['reason']>;

/**
 * Decides and commits a group of items for one packet under one lock acquisition, in two round trips:
 * acquire + read (the packet, the items' records, who the packet already paid among the group's users, and
 * whether the group's batches allow repeat payees, all pipelined behind the acquire), then one fenced
 * script that commits every fresh decision and releases the lock. Pays only what the accept paths recorded
 * (see `decide`), and returns only once what it reports is on `durability.minReplicas` replicas (else every
 * item comes back as `retry` with `UnderReplicatedError`). Returns one outcome per item, in order. Never
 * throws for
 * contention, a lost lease or Redis being unavailable: those items come back as `retry`. Throws
 * {@link ValidationError} for malformed input (nothing is written).
 */
export async function processItems(
  ctx: PacketsContext,
  packetId: string,
  rawItems: readonly unknown[],
  options: ProcessOptions,
): Promise<ItemOutcome[]> {
  const items = rawItems.map((raw, i) => parseOrThrow(payoutItemSchema, raw, `item ${i}`));
  const unknownPacket = () => items.map((): ItemOutcome => ({ status: 'refused', reason: 'unknown_packet' }));
  if (!isPacketId(packetId)) return unknownPacket();
  if (items.length === 0) return [];
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const fields = items.map(recordField);
  const users = [...new Set(items.map((item) => item.userId))];
  const batches = [...new Set(items.flatMap((item) => (item.kind === 'payout' ? [item.batchId] : [])))];
  const waitMs = Math.max(0, Math.floor(options.deadline - ctx.now() - COMMIT_RESERVE_MS));
  let held: Lease | undefined;
  const askedAt = performance.now();
  try {
    const { lease, replies } = await ctx.lock
      .acquireAndRead(
        packetId,
        (pipeline) => {
          pipeline.hgetall(keys.packet);
          pipeline.hmget(keys.claims, ...fields);
          pipeline.hmget(keys.payees, ...users);
          for (const batchId of batches) pipeline.hget(keys.batch(batchId), 'allowRepeatPayees');
        },
        { waitMs },
      )
      .catch((error: unknown) => {
        if (error instanceof LockTimeoutError) {
          options.onLock?.({ waitedMs: performance.now() - askedAt, takeover: false, timedOut: true });
        }
        throw error;
      });
    options.onLock?.({ waitedMs: performance.now() - askedAt, takeover: lease.takeover, timedOut: false });
    held = lease;
    const state = parsePacketState(packetId, replies[0]);
    if (!state) {
      // No such packet: leave nothing behind (the acquisition created the lock's fence counter).
      await ctx.lock.release(lease).catch(() => false);
      held = undefined;
      await forgetUnknownPacket.run(ctx.redis, [keys.packet, ...keys.lockKeys], []).catch(() => 0);
      return unknownPacket();
    }
    const payers = replies[2] as Array<string | null>;
    const snapshot = {
      records: (replies[1] as Array<string | null>).map(parseRecord),
      payees: new Map(users.flatMap((user, i) => (payers[i] ? [[user, payers[i]] as const] : []))),
      repeatBatches: new Set(batches.filter((_, i) => replies[3 + i] === '1')),
    };
    const now = ctx.now();
    const decisions = decide(state, items, snapshot, { now, fence: lease.fence, random: ctx.random });
    await options.onDecided?.(decisions);
    if (decisions.some((d) => d.type === 'fresh')) {
      const commit = commitGroupArgs(keys, ownerKeys(ctx.keyPrefix, state.createdBy).account, decisions, now);
      const reply = await ctx.lock.commit(lease, commitGroupScript, commit.keys, commit.args, {
        release: true,
      });
      // The script ran, and released the lock whatever it decided. (If the call failed instead, the
      // release below is a harmless compare-and-delete: it frees the packet now rather than at expiry.)
      held = undefined;
      if (reply[0] !== 1) throw new CommitConflictError(packetId, CONFLICTS[reply[0]]);
    } else if (held) {
      // Nothing to write: free the packet before waiting for replicas.
      await ctx.lock.release(held).catch(() => false);
      held = undefined;
    }
    // What these outcomes report (decided now or before) must survive a failover before the caller
    // acknowledges it: the consumer deletes the messages of what is returned as paid or rejected.
    await confirmDurable(ctx, keys.barrier);
    return decisions.map(toOutcome);
  } catch (error) {
    if (
      error instanceof CommitConflictError &&
      error.reason === 'shares_taken' &&
      ctx.now() < options.deadline - COMMIT_RESERVE_MS
    ) {
      // The door reserved the free shares between the read and the commit (it takes no lock): decide
      // again now, against the counter as it is, rather than after a visibility timeout. This converges:
      // once the door has reserved every share, nothing is left for the unreserved payments to take.
      return processItems(ctx, packetId, rawItems, options);
    }
    if (error instanceof ValidationError || !isRetryableError(error)) throw error;
    // Lock and domain errors are typed already; a raw client error becomes StoreUnavailableError.
    const typed =
      error instanceof LockError || error instanceof PacketError
        ? error
        : new StoreUnavailableError(packetId, error);
    return items.map(() => ({ status: 'retry', error: typed }));
  } finally {
    if (held) await ctx.lock.release(held).catch(() => false);
  }
}

function toOutcome(decision: Decision): ItemOutcome {
  if (decision.type === 'refused') return { status: 'refused', reason: decision.reason };
  const { record } = decision;
  const duplicate = decision.type === 'duplicate';
  if (record.status === 'paid') {
    return { status: 'paid', id: record.id, amount: record.amount ?? 0, fence: record.fence ?? 0, duplicate };
  }
  return {
    status: 'rejected',
    id: record.id,
    reason: record.reason ?? 'exhausted',
    ...(record.paidBy === undefined ? {} : { paidBy: record.paidBy }),
    duplicate,
  };
}
