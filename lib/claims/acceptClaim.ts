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
  amount?: number;
  reason?: string;
}

/**
 * Accepts `userId`'s claim on `packetId`: records it as `queued` and unsent in one script (once, so two
 * racing requests create one claim), sends its queue message, and confirms the send. A repeated claim gets
 * the same claim id and its current status and sends nothing: a claim whose message may be missing (the
 * request died before sending) is re-sent by the sweeper, not by whoever asks again.
 *
 * When the send fails, the answer is never false:
 * - the queue definitely refused it (an HTTP 4xx from SQS): the record is withdrawn and `ClaimQueueError`
 *   (503) says nothing was accepted; if withdrawing fails too, the claim stays and is accepted (below);
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
    return { claimId, status: 'queued' };
  }
  // Once confirmed, the sweeper leaves it alone; if confirming fails, it only re-sends a spare copy.
  await confirmSent(ctx, packetId, [recordField(record)]).catch(() => undefined);
  return { claimId, status: 'queued' };
}
