import { requestCaller } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/**
 * `POST /admin/packets/{packetId}/settle` → 200 `{packetId, owner, refunded, settled: now|before}`:
 * refunds an expired packet's remainder to its owner, once; 409 `not_expired`; 404. Operators only (IAM);
 * the schedule (`settleExpired`) does the same every minute.
 */
export const handler = httpHandler(async ({ event, services, log }) => {
  const operator = requestCaller(event, services.config);
  const settlement = await services.packets.settlePacket(pathParam(event, 'packetId'));
  log.info('packet settled', { ...settlement, requestedBy: operator.id });
  return json(200, settlement);
});
