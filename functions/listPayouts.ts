import { requestCaller } from '../lib/http/caller.ts';
import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler, pathParam } from '../lib/http/httpHandler.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/**
 * `GET /packets/{packetId}/payouts` (the packet's owner, JWT) or `GET /admin/packets/{packetId}/payouts`
 * (operators, IAM) `?limit&cursor` → 200 `{items, nextCursor}`; 403 for anyone else; 404.
 */
export const handler = httpHandler(async ({ event, services }) => {
  const caller = requestCaller(event, services.config);
  const packetId = pathParam(event, 'packetId');
  const { limit, cursor } = event.queryStringParameters ?? {};
  if (limit !== undefined && !/^\d{1,4}$/.test(limit)) {
    throw new HttpError(400, 'invalid_input', 'limit must be an integer from 1 to 1000');
  }
  const packet = await services.packets.readPacket(packetId);
  if (caller.kind !== 'operator' && packet.createdBy !== caller.id) {
    throw new HttpError(403, 'forbidden', "only the packet's owner and operators may read its payouts");
  }
  const page = await services.packets.listPayouts(packetId, {
    ...(limit === undefined ? {} : { limit: Number(limit) }),
    ...(cursor === undefined ? {} : { cursor }),
  });
  return json(200, page);
});
