import { parseRecord } from '../packets/claimRecord.ts';
import {
  type ClaimRecord,
  claimIdFor,
  PacketClosedError,
  PacketNotFoundError,
  packetKeys,
  recordField,
} from '../packets/index.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { isPacketId } from '../packets/packetIdSchema.ts';
import type { ClaimQueue } from './ClaimQueue.ts';
import { ClaimQueueError } from './ClaimQueueError.ts';
import { recordClaim } from './recordClaim.ts';

/** What `POST /packets/{id}/claims` answers (202). */
export interface AcceptedClaim {
  claimId: string;
  status: ClaimRecord['status'];
  amount?: number;
  reason?: string;
}

/**
 * Accepts `userId`'s claim on `packetId`: records it as `queued` in one script (once, so two racing
 * requests create one claim) and sends a queue message. A repeated claim gets the same claim id and its
 * current status, never a second payout. While the claim is still queued, a repeat sends the message again:
 * the request that recorded it may have died before sending (measured: a SIGKILL of the stack mid-run left
 * claims queued with no message), and the consumer is idempotent, so a spare copy costs one no-op.
 * Throws `PacketNotFoundError`,
 * `PacketClosedError` (expired or exhausted, for users who have not claimed yet), or `ClaimQueueError`
 * when the queue refuses the message (the queued record is then withdrawn, so a retry starts clean).
 */
export async function acceptClaim(
  ctx: PacketsContext,
  queue: ClaimQueue,
  packetId: string,
  userId: string,
): Promise<AcceptedClaim> {
  if (!isPacketId(packetId)) throw new PacketNotFoundError(String(packetId));
  const claimId = claimIdFor(packetId, userId);
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const field = recordField({ kind: 'claim', userId });
  const now = ctx.now();
  const record: ClaimRecord = { id: claimId, kind: 'claim', userId, status: 'queued', requestedAt: now };
  const value = JSON.stringify(record);
  const reply = await recordClaim.run(ctx.redis, [keys.packet, keys.claims], [field, value, now]);
  if (reply[0] === 0) throw new PacketNotFoundError(packetId);
  if (reply[0] === 2) throw new PacketClosedError(packetId, reply[1]);
  if (reply[0] === 1) {
    const existing = parseRecord(reply[1]);
    if (existing) return answerExisting(existing, claimId, packetId, userId, queue);
    throw new Error(`claim record ${claimId} is unreadable`);
  }
  try {
    await queue.send({ v: 1, kind: 'claim', claimId, packetId, userId, requestedAt: now });
  } catch (error) {
    // Withdraw our record (only if it is still exactly ours) so the client's retry starts from scratch.
    await ctx.redis.eval(WITHDRAW_LUA, 1, keys.claims, field, value).catch(() => undefined);
    throw new ClaimQueueError(packetId, claimId, error);
  }
  return { claimId, status: 'queued' };
}

/** HDEL the field only while it still holds ARGV[2] (the record this request wrote). */
const WITHDRAW_LUA = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

async function answerExisting(
  record: ClaimRecord,
  claimId: string,
  packetId: string,
  userId: string,
  queue: ClaimQueue,
): Promise<AcceptedClaim> {
  if (record.status === 'queued') {
    const requestedAt = record.requestedAt ?? Date.now();
    await queue
      .send({ v: 1, kind: 'claim', claimId, packetId, userId, requestedAt })
      .catch((error: unknown) => {
        throw new ClaimQueueError(packetId, claimId, error);
      });
  }
  return {
    claimId,
    status: record.status,
    ...(record.amount === undefined ? {} : { amount: record.amount }),
    ...(record.reason === undefined ? {} : { reason: record.reason }),
  };
}
