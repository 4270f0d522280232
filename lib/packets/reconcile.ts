import { type ClaimRecord, parseRecord } from './claimRecord.ts';
import { packetKeys } from './keys.ts';
import { type Payout, toPayout } from './listPayouts.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { readPacket } from './readPacket.ts';

/** The result of checking a packet's invariants against its ledger. */
export interface ReconcileReport {
  packetId: string;
  ok: boolean;
  totalAmount: number;
  count: number;
  remaining: number;
  remainingCount: number;
  /** From the ledger. */
  paidAmount: number;
  paidCount: number;
  /** Decided records by status, from the claims hash. */
  records: { paid: number; rejected: number; queued: number };
  /** Every broken invariant, in words (empty when ok). */
  discrepancies: string[];
}

const PAGE = 1000;

/**
 * Checks the packet's invariants on live data: I1 conservation (ledger sum + remaining == total, ledger
 * count + remaining count == count, nothing negative) and I2 at most once (no ledger id or claiming user
 * twice; every ledger entry matches a paid record with the same amount and fence, and every paid record
 * has exactly one ledger entry). Read-only; run it on a quiet packet for an exact answer.
 */
export async function reconcile(ctx: PacketsContext, packetId: string): Promise<ReconcileReport> {
  const packet = await readPacket(ctx, packetId);
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const payouts = await readLedger(ctx, keys.ledger);
  const records = await readRecords(ctx, keys.claims);
  const problems: string[] = [];

  const paidAmount = payouts.reduce((sum, p) => sum + p.amount, 0);
  if (paidAmount + packet.remaining !== packet.totalAmount) {
    problems.push(`I1: paid ${paidAmount} + remaining ${packet.remaining} != total ${packet.totalAmount}`);
  }
  if (payouts.length + packet.remainingCount !== packet.count) {
    problems.push(
      `I1: ${payouts.length} payouts + ${packet.remainingCount} remaining shares != count ${packet.count}`,
    );
  }
  if (packet.remaining < 0 || packet.remainingCount < 0) problems.push('I1: remaining went negative');

  const ids = new Map<string, Payout>();
  const usersPaidByClaim = new Set<string>();
  for (const payout of payouts) {
    if (!Number.isSafeInteger(payout.amount) || payout.amount < 1) {
      problems.push(`I6: payout ${payout.id} has amount ${payout.amount}`);
    }
    if (ids.has(payout.id)) problems.push(`I2: ${payout.id} paid twice`);
    ids.set(payout.id, payout);
    const record = records.get(payout.id);
    if (record?.kind === 'claim') {
      if (usersPaidByClaim.has(payout.userId)) problems.push(`I2: user ${payout.userId} paid twice`);
      usersPaidByClaim.add(payout.userId);
    }
    if (record?.status !== 'paid' || record.amount !== payout.amount || record.fence !== payout.fence) {
      problems.push(`I2: ledger entry ${payout.entryId} (${payout.id}) does not match its record`);
    }
  }
  const counts = { paid: 0, rejected: 0, queued: 0 };
  for (const record of records.values()) {
    counts[record.status] += 1;
    if (record.status === 'paid' && !ids.has(record.id))
      problems.push(`I2: paid record ${record.id} has no ledger entry`);
  }
  return {
    packetId,
    ok: problems.length === 0,
    totalAmount: packet.totalAmount,
    count: packet.count,
    remaining: packet.remaining,
    remainingCount: packet.remainingCount,
    paidAmount,
    paidCount: payouts.length,
    records: counts,
    discrepancies: problems,
  };
}

async function readLedger(ctx: PacketsContext, key: string): Promise<Payout[]> {
  const all: Payout[] = [];
  let start = '-';
  for (;;) {
    const page = await ctx.redis.xrange(key, start, '+', 'COUNT', PAGE);
    for (const [entryId, fields] of page) all.push(toPayout(entryId, fields));
    if (page.length < PAGE) return all;
    start = `(${page.at(-1)?.[0]}`;
  }
}

async function readRecords(ctx: PacketsContext, key: string): Promise<Map<string, ClaimRecord>> {
  const records = new Map<string, ClaimRecord>();
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.hscan(key, cursor, 'COUNT', PAGE);
    for (let i = 1; i < flat.length; i += 2) {
      const record = parseRecord(flat[i]);
      if (record) records.set(record.id, record);
    }
    cursor = next;
  } while (cursor !== '0');
  return records;
}
