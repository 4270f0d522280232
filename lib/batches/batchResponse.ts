import { describeRefusal } from './describeRow.ts';
import type { RequestRejection } from './parseBatchRequest.ts';
import type { SubmittedPayouts } from './submitPayouts.ts';

/** What `POST /payout-batches` answers (202). Indexes are the request's item indexes. */
export interface BatchResponse {
  batchId: string;
  packetId: string;
  /** Items of this batch: recorded now or before, sent or to be re-sent. */
  accepted: number;
  /** Messages sent by this request. */
  sent: number;
  /** Items decided by an earlier submission of the same batch (nothing sent for them). */
  alreadyDecided: number;
  /** Items refused, by index: invalid, listed twice, conflicting, or already paid on the packet. */
  rejected: Array<RequestRejection & { paidBy?: string }>;
  /** Accepted items whose message the queue did not take; the sweeper re-sends them. */
  unsent: RequestRejection[];
}

/** The response for a submitted request, row outcomes mapped back to item indexes. */
export function toBatchResponse(
  submitted: SubmittedPayouts,
  indexes: readonly number[],
  rejectedBefore: readonly RequestRejection[],
): BatchResponse {
  const body: BatchResponse = {
    batchId: submitted.batchId,
    packetId: submitted.packetId,
    accepted: 0,
    sent: 0,
    alreadyDecided: 0,
    rejected: [...rejectedBefore],
    unsent: [],
  };
  submitted.outcomes.forEach((outcome, i) => {
    const index = indexes[i] as number;
    if (outcome.status === 'refused') {
      body.rejected.push({ index, ...describeRefusal(outcome) });
      return;
    }
    body.accepted += 1;
    if (outcome.status === 'sent') body.sent += 1;
    else if (outcome.status === 'decided') body.alreadyDecided += 1;
    else body.unsent.push({ index, code: outcome.code, message: outcome.message });
  });
  body.rejected.sort((a, b) => a.index - b.index);
  return body;
}
