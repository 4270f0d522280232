import { readBatchStatus } from '../lib/batches/batchStore.ts';
import { requestCaller } from '../lib/http/caller.ts';
import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';
import { echoId } from '../lib/packets/index.ts';

/** `GET /payout-batches/{batchId}` → 200 counts by state and the paid sum; 404. Admin only. */
export const handler = httpHandler(async ({ event, services }) => {
  requestCaller(event, services.config); // operators only
  const batchId = pathParam(event, 'batchId');
  const status = await readBatchStatus(services.packets.context, batchId);
  if (!status) throw new HttpError(404, 'batch_not_found', `no payout batch "${echoId(batchId)}"`);
  return json(200, status);
});
