import { confirmDurable } from '../packets/confirmDurable.ts';
import { type ClaimRecord, packetKeys, recordField } from '../packets/index.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { recordClaim } from '../packets/recordClaim.ts';
import { confirmSent, withdrawRecord } from '../packets/unsent.ts';
import { isDefiniteRefusal } from '../queue/isDefiniteRefusal.ts';
import type { MessageQueue } from '../queue/MessageQueue.ts';
import { messageFor } from '../queue/queueMessage.ts';
import type { Logger } from '../runtime/logger.ts';
import { ClaimQueueError } from './ClaimQueueError.ts';

/** What `POST /packets/{id}/claims` answers (202). */
export interface AcceptedClaim {
  claimId: string;
  status: ClaimRecord['status'];
  /**
   * One of the packet's shares is this claim's: held for it while `queued` (it is paid unless the packet
   * expires first, or the user was already paid on this packet by a batch), or paid. `false` only when a
   * repeated claim was rejected (its share went back to the packet), or is still queued from before the
   * door reserved shares.
   */
  shareHeld: boolean;
  amount?: number;
  reason?: string;
}

/**
 * Accepts `userId`'s claim on `packetId` (the "grab"): records it as `queued` and unsent with one of the
 * packet's shares reserved for it, in one script (once, so two racing requests create one claim; a user
 * who gets no share is refused with `PacketClosedError` and leaves no record), sends its queue message, and
 * confirms the send. The consumer later decides the amount under the packet's lock (the "open"). A
 * repeated claim gets the same claim id and its current status and sends nothing: a claim whose message
 * may be missing (the request died before sending) is re-sent by the sweeper, not by whoever asks again.
 *
 * When the send fails, the answer is never false:
 * - the queue definitely refused it (an HTTP 4xx from SQS): the record is withdrawn with its share (the
 *   packet gets it back) and `ClaimQueueError` (503) says nothing was accepted; if withdrawing fails too,
 *   the claim stays and is accepted (below);
 * - the outcome is unknown (timeout, reset connection, 5xx: SQS may have it): the claim stays recorded and
 *   unsent, the answer is 202, and the sweeper sends it again after `resendAfterMs` (a duplicate message
 *   is a no-op for the consumer).
 * Nothing is sent or answered before the record is on `durability.minReplicas` replicas.
 * Throws `PacketNotFoundError`, `PacketClosedError` (expired or exhausted, for users who have not claimed
 * yet), `UnderReplicatedError` or `ClaimQueueError`.
 */
export async function acceptClaim(
  ctx: PacketsContext,
  queue: Pick<MessageQueue, 'send'>,
  packetId: string,
  userId: string,
  log?: Logger,
): Promise<AcceptedClaim> {
  const { claimId, created, record } = await recordClaim(ctx, packetId, userId);
  // Never answer for a claim a failover could lose (UnderReplicatedError: 503, the client retries; an
  // unsent claim that did survive is sent by the sweeper, and the retry answers it).
  await confirmDurable(ctx, packetKeys(ctx.keyPrefix, packetId).barrier);
  if (!created) {
    return {
      claimId,
      status: record.status,
      shareHeld: record.status === 'paid' || (record.status === 'queued' && record.reserved === true),
      ...(record.amount === undefined ? {} : { amount: record.amount }),
      ...(record.reason === undefined ? {} : { reason: record.reason }),
    };
  }
  try {
    await queue.send(messageFor(packetId, record));
  } catch (error) {
    if (isDefiniteRefusal(error) && (await withdrawRecord(ctx, packetId, record).catch(() => false))) {
      throw new ClaimQueueError(packetId, claimId, error);
    }
    log?.warn('claim send deferred to the sweeper', {
      packetId,
      claimId,
      outcome: 'queued',
      definiteRefusal: isDefiniteRefusal(error),
      error: error instanceof Error ? error : String(error),
    });
    return { claimId, status: 'queued', shareHeld: true };
  }
  // Once confirmed, the sweeper leaves it alone; if confirming fails, it only re-sends a spare copy.
  await confirmSent(ctx, packetId, [recordField(record)]).catch(() => undefined);
  return { claimId, status: 'queued', shareHeld: true };
}
