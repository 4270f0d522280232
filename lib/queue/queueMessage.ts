import type { ClaimRecord } from '../packets/claimRecord.ts';
import { packetIdSchema as packetId } from '../packets/packetIdSchema.ts';
import { amountSchema, batchIdSchema, userIdSchema } from '../packets/schemas.ts';
import * as z from '../z.ts';

const requestedAt = z.number().check(z.int(), z.nonnegative());

/** A queued claim: `{v: 1, kind: "claim", claimId, packetId, userId, requestedAt}`. */
export const claimMessageSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('claim'),
  claimId: z.string().check(z.minLength(1), z.maxLength(600)),
  packetId,
  userId: userIdSchema,
  requestedAt,
});

/**
 * A queued batch payout: `{v: 2, kind: "payout", batchId, packetId, userId, amount, requestedAt}`. The item
 * is `(batchId, userId)`; version 1 also carried the row's position (`itemId`), which is no identity, and is
 * refused.
 */
export const payoutMessageSchema = z.strictObject({
  v: z.literal(2),
  kind: z.literal('payout'),
  batchId: batchIdSchema,
  packetId,
  userId: userIdSchema,
  amount: amountSchema,
  requestedAt,
});

/** Every message the claims queue carries; versioned so that consumers can refuse what they do not know. */
export const queueMessageSchema = z.discriminatedUnion('kind', [claimMessageSchema, payoutMessageSchema]);

export type QueueMessage = z.output<typeof queueMessageSchema>;

/** The message that asks the consumer to decide `record` (a claim, or a batch item) of `packetId`. */
export function messageFor(packetId: string, record: ClaimRecord): QueueMessage {
  const requestedAt = record.requestedAt ?? 0;
  if (record.kind === 'claim') {
    return { v: 1, kind: 'claim', claimId: record.id, packetId, userId: record.userId, requestedAt };
  }
  return {
    v: 2,
    kind: 'payout',
    batchId: record.batchId ?? '',
    packetId,
    userId: record.userId,
    amount: record.amount ?? 0,
    requestedAt,
  };
}
