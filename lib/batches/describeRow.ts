import type { RowOutcome } from './submitPayouts.ts';

/** Why a row was refused at submission, in one line (`code` + a message naming what it conflicts with). */
export function describeRefusal(outcome: Extract<RowOutcome, { status: 'refused' }>): {
  code: string;
  message: string;
  paidBy?: string;
} {
  if (outcome.code === 'item_conflict') {
    return {
      code: outcome.code,
      message: `this batch already has this user with amount ${outcome.recordedAmount}; a changed row needs a new batch`,
    };
  }
  const by = outcome.code === 'already_paid_by_claim' ? `claim ${outcome.paidBy}` : `batch ${outcome.paidBy}`;
  return {
    code: outcome.code,
    message: `already paid ${outcome.paidAmount} on this packet by ${by}`,
    paidBy: outcome.paidBy,
  };
}

/**
 * Whether a row needs nothing more: its item was sent or already paid in this batch, or it was refused
 * only because the same amount was already paid to that user by another batch or claim of the packet
 * (the row is paid, just not by this batch).
 */
export function isSettledElsewhere(outcome: RowOutcome, amount: number): boolean {
  return outcome.status === 'refused' && outcome.code !== 'item_conflict' && outcome.paidAmount === amount;
}
