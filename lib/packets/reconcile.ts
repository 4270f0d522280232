import { type Account, readAccount } from './accounts.ts';
import { type ClaimRecord, parseRecord, recordField } from './claimRecord.ts';
import { ownerKeys, packetKeys } from './keys.ts';
import { type Payout, toPayout } from './listPayouts.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { parsePacketState } from './packetState.ts';
import { readPacket } from './readPacket.ts';

/** The invariant checks of {@link reconcile}; each names what it found broken. */
export type ReconcileCheck =
  /** I1: paid + refunded + remaining != total. */
  | 'conservation_amount'
  /** I1: payouts + refunded shares + remaining shares != count. */
  | 'conservation_count'
  /** I1: the refund entries of the ledger differ from what the packet says was refunded, or there are two. */
  | 'refund_mismatch'
  /** I1: remaining amount or count below zero. */
  | 'negative_remaining'
  /** I6: a ledger amount that is not a positive integer. */
  | 'bad_amount'
  /** I2: two ledger entries for one record. */
  | 'entry_paid_twice'
  /** I2: one user paid by two claims of the packet. */
  | 'claim_user_paid_twice'
  /** I2: one (batch, user) paid twice. */
  | 'batch_item_paid_twice'
  /** I2: a user paid again by a claim or a batch that does not allow repeat payees. */
  | 'user_paid_twice'
  /** I2: a ledger entry with no record, or whose record is not paid. */
  | 'entry_without_record'
  /** I2: a paid record with no ledger entry. */
  | 'record_without_entry'
  /** I2: a record whose amount, user or fence differs from its ledger entry. */
  | 'entry_mismatch'
  /** A batch's counters (items, paid, paid amount, rejected) differ from its records and the ledger. */
  | 'batch_counters'
  /** A paid user missing from the payees index (so a later batch could pay them again). */
  | 'payee_index'
  /** I3: a record still queued longer than `stuckAfterMs`. */
  | 'stuck_record'
  /**
   * The packet's `reserved` counter differs from paid shares + queued claims holding a reservation: a
   * share leaked (held by nobody, so nobody can grab it) or held twice (so the door over-admits).
   */
  | 'reserved_mismatch'
  /** The `reserved` counter is above `count` (more shares held than the packet has) or below zero. */
  | 'reserved_over_count';

/** One broken invariant. */
export interface Discrepancy {
  check: ReconcileCheck;
  message: string;
}

/** The result of checking a packet's invariants against its ledger. */
export interface ReconcileReport {
  packetId: string;
  ok: boolean;
  totalAmount: number;
  count: number;
  remaining: number;
  remainingCount: number;
  /** Shares taken: paid, or held by a queued claim the door reserved them for (the packet's counter). */
  reserved: number;
  /** From the ledger (payouts only). */
  paidAmount: number;
  paidCount: number;
  /** Refunded to the owner at settlement (0 before). */
  refunded: number;
  /** Records by status, from the records hash. */
  records: { paid: number; rejected: number; queued: number };
  /** Payout batches of the packet. */
  batches: number;
  /** Every broken invariant (empty when ok). */
  discrepancies: Discrepancy[];
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  /**
   * A record queued for longer than this is reported stuck (ms). Normal latency is seconds; the sweeper
   * re-sends an unsent record after 30 s; a message that keeps failing reaches the DLQ after 5 receives
   * 180 s apart (15 min). @defaultValue 900000 (15 min)
   */
  stuckAfterMs?: number;
}

const PAGE = 1000;
export const DEFAULT_STUCK_AFTER_MS = 15 * 60_000;

/**
 * Checks the packet's invariants on live data (see {@link ReconcileCheck}): I1 conservation, I2 at most once
 * (per record, per claiming user, per batch item, per payee across batches), that the ledger, the records,
 * the batch counters and the payees index agree, that the door's reservation counter matches the paid
 * shares and the queued claims that hold one (and never exceeds the count), and I3 that nothing stays
 * queued too long. Read-only; run
 * it on a quiet packet for an exact answer (a commit between two reads can show as a transient mismatch).
 */
export async function reconcile(
  ctx: PacketsContext,
  packetId: string,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const packet = await readPacket(ctx, packetId);
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const ledger = await readLedger(ctx, keys.ledger);
  const payouts = ledger.filter((entry) => entry.kind !== 'refund');
  const refunds = ledger.filter((entry) => entry.kind === 'refund');
  const records = await readRecords(ctx, keys.claims);
  const payees = await ctx.redis.hgetall(keys.payees);
  const batchIds = await ctx.redis.smembers(keys.batches);
  const metas = await Promise.all(batchIds.map((id) => ctx.redis.hgetall(keys.batch(id))));
  const batches = new Map(batchIds.map((id, i) => [id, metas[i] ?? {}]));
  const found: Discrepancy[] = [];
  const report = (check: ReconcileCheck, message: string) => found.push({ check, message });

  const paidAmount = payouts.reduce((sum, p) => sum + p.amount, 0);
  if (paidAmount + packet.refunded + packet.remaining !== packet.totalAmount) {
    report(
      'conservation_amount',
      `paid ${paidAmount} + refunded ${packet.refunded} + remaining ${packet.remaining} != total ${packet.totalAmount}`,
    );
  }
  if (payouts.length + packet.refundedCount + packet.remainingCount !== packet.count) {
    report(
      'conservation_count',
      `${payouts.length} payouts + ${packet.refundedCount} refunded + ${packet.remainingCount} remaining shares != count ${packet.count}`,
    );
  }
  const refundedInLedger = refunds.reduce((sum, r) => sum + r.amount, 0);
  if (refunds.length > 1 || refundedInLedger !== packet.refunded) {
    report(
      'refund_mismatch',
      `the ledger refunds ${refundedInLedger} in ${refunds.length} entries; the packet says ${packet.refunded}`,
    );
  }
  if (packet.remaining < 0 || packet.remainingCount < 0)
    report('negative_remaining', 'remaining went negative');

  const byId = new Map<string, Payout>();
  const claimUsers = new Set<string>();
  const batchItems = new Set<string>();
  const firstPayment = new Map<string, Payout>();
  for (const payout of payouts) {
    if (!Number.isSafeInteger(payout.amount) || payout.amount < 1) {
      report('bad_amount', `payout ${payout.id} has amount ${payout.amount}`);
    }
    if (byId.has(payout.id)) report('entry_paid_twice', `${payout.id} has two ledger entries`);
    byId.set(payout.id, payout);
    if (payout.batchId === undefined) {
      if (claimUsers.has(payout.userId)) {
        report('claim_user_paid_twice', `user ${payout.userId} paid twice by claims`);
      }
      claimUsers.add(payout.userId);
    } else {
      const item = `${payout.batchId}/${payout.userId}`;
      if (batchItems.has(item)) report('batch_item_paid_twice', `batch item ${item} paid twice`);
      batchItems.add(item);
    }
    const first = firstPayment.get(payout.userId);
    if (!first) firstPayment.set(payout.userId, payout);
    else if (first.id !== payout.id && !allowsRepeats(batches, payout)) {
      report(
        'user_paid_twice',
        `user ${payout.userId} paid by ${first.id} and again by ${payout.id}, which does not allow repeat payees`,
      );
    }
    const record = records.get(payout.id);
    if (record?.status !== 'paid') {
      report('entry_without_record', `ledger entry ${payout.entryId} (${payout.id}) has no paid record`);
    } else if (
      record.amount !== payout.amount ||
      record.fence !== payout.fence ||
      record.userId !== payout.userId
    ) {
      report(
        'entry_mismatch',
        `ledger entry ${payout.entryId} (${payout.id}) pays ${payout.userId} ${payout.amount} at fence ${payout.fence}; its record says ${record.userId} ${record.amount} at fence ${record.fence}`,
      );
    }
  }

  const counts = { paid: 0, rejected: 0, queued: 0 };
  let heldByQueued = 0;
  const stuckBefore = ctx.now() - (options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS);
  const perBatch = new Map<string, { items: number; rejected: Map<string, number> }>();
  for (const record of records.values()) {
    counts[record.status] += 1;
    if (record.status === 'queued' && record.reserved) heldByQueued += 1;
    if (record.status === 'paid') {
      if (!byId.has(record.id))
        report('record_without_entry', `paid record ${record.id} has no ledger entry`);
      if (payees[record.userId] === undefined) {
        report('payee_index', `user ${record.userId} is paid (${record.id}) but not in the payees index`);
      }
    }
    if (record.status === 'queued' && (record.requestedAt ?? 0) < stuckBefore) {
      report(
        'stuck_record',
        `${record.id} is still queued since ${new Date(record.requestedAt ?? 0).toISOString()}`,
      );
    }
    if (record.kind === 'payout' && record.batchId !== undefined) {
      const tally = perBatch.get(record.batchId) ?? { items: 0, rejected: new Map() };
      tally.items += 1;
      if (record.status === 'rejected') {
        const reason = record.reason ?? 'unknown';
        tally.rejected.set(reason, (tally.rejected.get(reason) ?? 0) + 1);
      }
      perBatch.set(record.batchId, tally);
    }
  }
  if (packet.reserved !== payouts.length + heldByQueued) {
    report(
      'reserved_mismatch',
      `reserved ${packet.reserved} != ${payouts.length} paid + ${heldByQueued} queued claims holding a share`,
    );
  }
  if (packet.reserved > packet.count || packet.reserved < 0) {
    report('reserved_over_count', `reserved ${packet.reserved} is outside 0..count ${packet.count}`);
  }
  for (const [batchId, meta] of batches) checkBatch(batchId, meta, perBatch.get(batchId), payouts, report);
  for (const batchId of perBatch.keys()) {
    if (!batches.has(batchId)) report('batch_counters', `records of batch ${batchId}, which is not recorded`);
  }

  return {
    packetId,
    ok: found.length === 0,
    totalAmount: packet.totalAmount,
    count: packet.count,
    remaining: packet.remaining,
    remainingCount: packet.remainingCount,
    reserved: packet.reserved,
    paidAmount,
    paidCount: payouts.length,
    refunded: packet.refunded,
    records: counts,
    batches: batches.size,
    discrepancies: found,
  };
}

function allowsRepeats(batches: Map<string, Record<string, string>>, payout: Payout): boolean {
  return payout.batchId !== undefined && batches.get(payout.batchId)?.allowRepeatPayees === '1';
}

/** A batch's counters against its records (items, rejected by reason) and the ledger (paid, paid sum). */
function checkBatch(
  batchId: string,
  meta: Record<string, string>,
  tally: { items: number; rejected: Map<string, number> } | undefined,
  payouts: readonly Payout[],
  report: (check: ReconcileCheck, message: string) => void,
): void {
  const paid = payouts.filter((p) => p.batchId === batchId);
  const paidSum = paid.reduce((sum, p) => sum + p.amount, 0);
  const mismatch = (what: string, counter: number, actual: number) => {
    if (counter !== actual) {
      report('batch_counters', `batch ${batchId}: ${what} counter is ${counter}, but there are ${actual}`);
    }
  };
  mismatch('items', Number(meta.items ?? 0), tally?.items ?? 0);
  mismatch('paid', Number(meta.paid ?? 0), paid.length);
  mismatch('paidAmount', Number(meta.paidAmount ?? 0), paidSum);
  const reasons = new Set([
    ...Object.keys(meta)
      .filter((f) => f.startsWith('rejected:'))
      .map((f) => f.slice('rejected:'.length)),
    ...(tally?.rejected.keys() ?? []),
  ]);
  for (const reason of reasons) {
    mismatch(`rejected:${reason}`, Number(meta[`rejected:${reason}`] ?? 0), tally?.rejected.get(reason) ?? 0);
  }
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

/** Every readable record by id (a record stored under a field that is not its own is skipped). */
async function readRecords(ctx: PacketsContext, key: string): Promise<Map<string, ClaimRecord>> {
  const records = new Map<string, ClaimRecord>();
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.hscan(key, cursor, 'COUNT', PAGE);
    for (let i = 1; i < flat.length; i += 2) {
      const record = parseRecord(flat[i]);
      if (record && recordField(record) === flat[i - 1]) records.set(record.id, record);
    }
    cursor = next;
  } while (cursor !== '0');
  return records;
}

/** The account checks of {@link reconcileOwner}. */
export type OwnerCheck =
  /** balance != credited − funded + refunded. */
  | 'account_balance'
  /** credited != balance + paid out + what the owner's unsettled packets still hold. */
  | 'account_conservation'
  /** A packet listed as the owner's that another owner funded, or that is gone unsettled. */
  | 'account_packets';

/** The result of checking an owner's account against its packets. */
export interface OwnerReconcileReport {
  owner: string;
  ok: boolean;
  account: Account;
  /** What the owner's unsettled packets still hold. */
  inOpenPackets: number;
  discrepancies: Array<{ check: OwnerCheck; message: string }>;
}

/**
 * Checks that the owner's money adds up: every credit is in the balance, paid out, or still in one of its
 * unsettled packets (settled packets gave their remainder back). Summed over every owner this is the
 * system's conservation: balances + money in open packets + money paid out = money credited.
 */
export async function reconcileOwner(ctx: PacketsContext, owner: string): Promise<OwnerReconcileReport> {
  const account = await readAccount(ctx, owner);
  const ids = await ctx.redis.zrange(ownerKeys(ctx.keyPrefix, owner).packets, 0, -1);
  const found: OwnerReconcileReport['discrepancies'] = [];
  let inOpenPackets = 0;
  for (const packetId of ids) {
    const state = parsePacketState(
      packetId,
      await ctx.redis.hgetall(packetKeys(ctx.keyPrefix, packetId).packet),
    );
    if (!state || state.createdBy !== owner || state.settledAt !== undefined) {
      found.push({
        check: 'account_packets',
        message: `packet ${packetId} is listed as open for ${owner} but is ${state ? (state.settledAt !== undefined ? 'settled' : `funded by ${state.createdBy}`) : 'gone'}`,
      });
      continue;
    }
    inOpenPackets += state.remaining;
  }
  if (account.balance !== account.credited - account.funded + account.refunded) {
    found.push({
      check: 'account_balance',
      message: `balance ${account.balance} != credited ${account.credited} - funded ${account.funded} + refunded ${account.refunded}`,
    });
  }
  if (account.credited !== account.balance + account.paidOut + inOpenPackets) {
    found.push({
      check: 'account_conservation',
      message: `credited ${account.credited} != balance ${account.balance} + paid out ${account.paidOut} + ${inOpenPackets} in open packets`,
    });
  }
  return { owner, ok: found.length === 0, account, inOpenPackets, discrepancies: found };
}
