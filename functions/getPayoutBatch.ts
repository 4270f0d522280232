import { readBatchStatus } from '../lib/batches/batchStore.ts';
import { requestCaller } from '../lib/http/caller.ts';
import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler, pathParam } from '../lib/http/httpHandler.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/** `GET /payout-batches/{batchId}` → 200 counts by state and the paid sum; 404. Admin only. */
export const handler = httpHandler(async ({ event, services }) => {
  requestCaller(event, services.config); // operators only
  const batchId = pathParam(event, 'batchId');
  const status = /^[\w.:-]{1,128}$/.test(batchId)
    ? await readBatchStatus(services.packets.context, batchId)
    : null;
  if (!status) throw new HttpError(404, 'batch_not_found', `no payout batch "${batchId.slice(0, 128)}"`);
  return json(200, status);
});
