import { payerOf, recordField } from '../packets/claimRecord.ts';
import { confirmDurable } from '../packets/confirmDurable.ts';
import { echoId } from '../packets/echoId.ts';
import { ForbiddenError, ValidationError } from '../packets/errors.ts';
import { packetKeys } from '../packets/keys.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { readPacket } from '../packets/readPacket.ts';
import { OPERATOR_PREFIX } from '../packets/schemas.ts';
import { confirmSent } from '../packets/unsent.ts';
import type { MessageQueue } from '../queue/MessageQueue.ts';
import type { QueueMessage } from '../queue/queueMessage.ts';
import type { SendOptions } from '../queue/sendMessages.ts';
import { deriveBatchId } from './batchId.ts';
import { registerBatch } from './batchStore.ts';
import { recordBatchItems } from './recordBatchItems.ts';

/** One payout of a batch, validated: users are unique within a batch. */
export interface PayoutRow {
  userId: string;
  amount: number;
}

/** What {@link submitPayouts} submits. */
export interface SubmitPayoutsInput {
  packetId: string;
  /** @defaultValue derived from the packet and the rows (`deriveBatchId`) */
  batchId?: string | undefined;
  /**
   * Pay users of this batch even when another batch or a claim of the packet paid them already (campaigns
   * that pay in rounds). Needs an explicit `batchId`: a derived id is the same for the same rows, so each
   * round must be named. @defaultValue false
   */
  allowRepeatPayees?: boolean | undefined;
  rows: readonly PayoutRow[];
  /**
   * Who submits (an operator's `op:<IAM ARN>`, or the CLI's `op:cli`), kept on the batch from its first
   * submission (the audit record of who paid). @defaultValue none recorded
   */
  requestedBy?: string | undefined;
}

/** What became of one row at submission. */
export type RowOutcome =
  /** Its item is recorded (now, or by an earlier submission) and its message is on the queue. */
  | { status: 'sent' }
  /** Its item is recorded, but the queue did not take the message: the sweeper re-sends it. */
  | { status: 'unsent'; code: string; message: string }
  /** Its item was decided before (an earlier submission of the same batch): nothing sent. */
  | { status: 'decided'; decided: 'paid' | 'rejected'; reason?: string }
  /** Refused, not recorded: the batch already has this user with another amount. */
  | { status: 'refused'; code: 'item_conflict'; recordedAmount: number }
  /** Refused, not recorded: the user is already paid on this packet (by `paidBy`, `paidAmount`). */
  | {
      status: 'refused';
      code: 'already_paid_by_batch' | 'already_paid_by_claim';
      paidBy: string;
      paidAmount: number;
    };

/** Options of {@link submitPayouts}. */
export interface SubmitPayoutsOptions extends Omit<SendOptions, 'onSent'> {
  /**
   * Called once every row is recorded and before anything is sent, with each row's outcome so far
   * (`sent` here means "will be sent"): the CLI warns about refused rows at this point.
   */
  onRecorded?: (outcomes: readonly RowOutcome[]) => void;
}

/** The result of {@link submitPayouts}: one outcome per row, in the rows' order. */
export interface SubmittedPayouts {
  packetId: string;
  batchId: string;
  outcomes: RowOutcome[];
}

/**
 * Submits payout rows as one batch: the one path for `POST /payout-batches` and `red-packets payouts
 * submit`. Records every row as the item `(batchId, userId)` before sending anything (an item recorded
 * before keeps its record; one with another amount is refused as `item_conflict`; a user already paid on
 * the packet is refused as `already_paid_by_*` unless the batch allows repeat payees), then sends one
 * message per recorded, undecided item and confirms each send. Re-submitting the same rows, in any layout
 * and by either route, names the same batch and pays nobody twice.
 * Batches pay only from operators' packets (`ForbiddenError` for a user's).
 * Throws `ValidationError` (a user twice, repeat payees without a batch id), `PacketNotFoundError`,
 * `PacketClosedError` (expired) or `BatchConflictError`, having recorded nothing; or
 * `UnderReplicatedError`, having recorded the rows but sent nothing (submitting again sends them).
 */
export async function submitPayouts(
  ctx: PacketsContext,
  queue: MessageQueue,
  input: SubmitPayoutsInput,
  options: SubmitPayoutsOptions = {},
): Promise<SubmittedPayouts> {
  const allowRepeatPayees = input.allowRepeatPayees === true;
  if (allowRepeatPayees && !input.batchId) {
    throw new ValidationError('payout batch', [
      {
        path: 'allowRepeatPayees',
        message: 'needs an explicit batchId (each round that may pay a user again is its own named batch)',
      },
    ]);
  }
  const users = new Set<string>();
  input.rows.forEach((row, i) => {
    if (users.has(row.userId)) {
      throw new ValidationError('payout batch', [
        { path: `rows.${i}`, message: `user ${echoId(row.userId)} is listed twice` },
      ]);
    }
    users.add(row.userId);
  });
  const packet = await readPacket(ctx, input.packetId); // 404 before anything is recorded
  if (!packet.createdBy.startsWith(OPERATOR_PREFIX)) {
    // A batch spends an operator's campaign; a user's packet is for its claimers only.
    throw new ForbiddenError(
      `packet ${echoId(input.packetId)} is not an operator's: batches pay only from operator packets`,
      input.packetId,
    );
  }
  const batchId = input.batchId ?? deriveBatchId(input.packetId, input.rows);
  const result: SubmittedPayouts = { packetId: input.packetId, batchId, outcomes: [] };
  if (input.rows.length === 0) return result;

  await registerBatch(ctx, input.packetId, batchId);
  const recorded = await recordBatchItems(
    ctx,
    { packetId: input.packetId, batchId, allowRepeatPayees, requestedBy: input.requestedBy ?? '' },
    input.rows,
  );
  // Nothing is sent before the items would survive a failover (else UnderReplicatedError: submit again).
  await confirmDurable(ctx, packetKeys(ctx.keyPrefix, input.packetId).barrier);
  const toSend: number[] = [];
  result.outcomes = recorded.map((row, i): RowOutcome => {
    switch (row.status) {
      case 'recorded':
        toSend.push(i);
        return { status: 'sent' };
      case 'decided':
        return { ...row, status: 'decided' };
      case 'item_conflict':
        return { status: 'refused', code: 'item_conflict', recordedAmount: row.recordedAmount };
      default: {
        const { reason, paidBy } = payerOf(input.packetId, row.payerField);
        return { status: 'refused', code: reason, paidBy, paidAmount: row.paidAmount };
      }
    }
  });
  options.onRecorded?.(result.outcomes);

  const requestedAt = ctx.now();
  const messages: QueueMessage[] = toSend.map((i) => {
    const row = input.rows[i] as PayoutRow;
    return { v: 2, kind: 'payout', batchId, packetId: input.packetId, requestedAt, ...row };
  });
  const fieldOf = (m: QueueMessage) => recordField({ kind: 'payout', batchId, userId: m.userId });
  const { failures } = await queue.sendAll(messages, {
    ...options,
    // Confirmed sends leave the unsent set; a confirmation that fails only costs a spare re-send later.
    onSent: (indexes) =>
      confirmSent(
        ctx,
        input.packetId,
        indexes.map((j) => fieldOf(messages[j] as QueueMessage)),
      ).catch(() => undefined),
  });
  for (const failure of failures) {
    result.outcomes[toSend[failure.index] as number] = {
      status: 'unsent',
      code: failure.code,
      message: failure.message,
    };
  }
  return result;
}
