import { submitBatch } from '../lib/batches/submitBatch.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { parseJsonBody } from '../lib/http/parseJsonBody.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/** `POST /payout-batches` `{packetId, batchId?, items: [{userId, amount}]}` → 202 `{batchId, accepted, rejected}`. Admin only. */
export const handler = httpHandler(async ({ event, services, log }) => {
  const body = parseJsonBody(event, 256 * 1024);
  const result = await submitBatch(
    services.packets.context,
    services.sqs,
    services.config.CLAIMS_QUEUE_URL,
    body,
  );
  log.info('payout batch queued', {
    batchId: result.batchId,
    accepted: result.accepted,
    rejected: result.rejected.length,
  });
  return json(202, result);
});
