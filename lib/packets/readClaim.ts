import { type ClaimRecord, parseRecord, recordField } from './claimRecord.ts';
import { parseClaimId } from './ids.ts';
import { packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';

/** A claim as `GET /claims/{claimId}` shows it. */
export interface ClaimView {
  claimId: string;
  packetId: string;
  userId: string;
  status: ClaimRecord['status'];
  amount?: number;
  fence?: number;
  reason?: string;
  /** When the claim was accepted (epoch ms). */
  requestedAt?: number;
  /** When it was paid (epoch ms). */
  paidAt?: number;
}

/** The claim named by `claimId`, or `null` when there is none (or the id is not a claim id). */
export async function readClaim(ctx: PacketsContext, claimId: string): Promise<ClaimView | null> {
  const parsed = parseClaimId(claimId);
  if (!parsed) return null;
  const field = recordField({ kind: 'claim', userId: parsed.userId });
  const raw = await ctx.redis.hget(packetKeys(ctx.keyPrefix, parsed.packetId).claims, field);
  const record = parseRecord(raw);
  if (!record) return null;
  return {
    claimId,
    ...parsed,
    status: record.status,
    ...(record.amount === undefined ? {} : { amount: record.amount }),
    ...(record.fence === undefined ? {} : { fence: record.fence }),
    ...(record.reason === undefined ? {} : { reason: record.reason }),
    ...(record.requestedAt === undefined ? {} : { requestedAt: record.requestedAt }),
    ...(record.status === 'paid' && record.decidedAt !== undefined ? { paidAt: record.decidedAt } : {}),
  };
}
