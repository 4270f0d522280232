import { z } from 'zod';
import { batchIdSchema, userIdSchema } from '../packets/schemas.ts';

const packetId = z.string().regex(/^pk_[A-Za-z0-9_-]{1,64}$/, 'is not a packet id');
const requestedAt = z.number().int().nonnegative();

/** A queued claim: `{v: 1, kind: "claim", claimId, packetId, userId, requestedAt}`. */
export const claimMessageSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('claim'),
  claimId: z.string().min(1).max(600),
  packetId,
  userId: userIdSchema,
  requestedAt,
});

/** A queued batch payout: `{v: 1, kind: "payout", batchId, itemId, packetId, userId, amount, requestedAt}`. */
export const payoutMessageSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('payout'),
  batchId: batchIdSchema,
  itemId: batchIdSchema,
  packetId,
  userId: userIdSchema,
  amount: z.number().int().min(1).max(1_000_000_000_000),
  requestedAt,
});

/** Every message the claims queue carries; versioned so that consumers can refuse what they do not know. */
export const queueMessageSchema = z.discriminatedUnion('kind', [claimMessageSchema, payoutMessageSchema]);

export type QueueMessage = z.output<typeof queueMessageSchema>;
