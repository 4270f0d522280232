import { toBatchResponse } from '../lib/batches/batchResponse.ts';
import { parseBatchRequest } from '../lib/batches/parseBatchRequest.ts';
import { submitPayouts } from '../lib/batches/submitPayouts.ts';
import { requestCaller } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { parseJsonBody } from '../lib/http/parseJsonBody.ts';
import { json } from '../lib/http/toHttpResponse.ts';
import { getQueue } from '../lib/runtime/getQueue.ts';

/**
 * `POST /payout-batches` `{packetId, batchId?, allowRepeatPayees?, items: [{userId, amount}]}` → 202
 * `{batchId, accepted, sent, alreadyDecided, rejected, unsent}`. Admin only.
 */
export const handler = httpHandler(async ({ event, services, log }) => {
  const operator = requestCaller(event, services.config);
  const request = parseBatchRequest(parseJsonBody(event, 256 * 1024));
  const submitted = await submitPayouts(services.packets.context, getQueue(services.config), {
    ...request,
    requestedBy: operator.id,
  });
  const body = toBatchResponse(submitted, request.indexes, request.rejected);
  log.info('payout batch submitted', {
    packetId: body.packetId,
    batchId: body.batchId,
    accepted: body.accepted,
    sent: body.sent,
    alreadyDecided: body.alreadyDecided,
    rejected: body.rejected.length,
    unsent: body.unsent.length,
    requestedBy: operator.id,
  });
  return json(202, body);
});
