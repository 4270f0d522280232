import { requestCaller } from '../lib/http/caller.ts';
import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { pageQuery } from '../lib/http/pageQuery.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/**
 * `GET /packets/{packetId}/payouts` (the packet's owner, JWT) or `GET /admin/packets/{packetId}/payouts`
 * (operators, IAM) `?limit&cursor` → 200 `{items, nextCursor}`; 403 for anyone else; 404.
 */
export const handler = httpHandler(async ({ event, services }) => {
  const caller = requestCaller(event, services.config);
  const packetId = pathParam(event, 'packetId');
  const page = pageQuery(event); // a bad limit or cursor is refused before anything is read
  const packet = await services.packets.readPacket(packetId);
  if (caller.kind !== 'operator' && packet.createdBy !== caller.id) {
    throw new HttpError(403, 'forbidden', "only the packet's owner and operators may read its payouts");
  }
  return json(200, await services.packets.listPayouts(packetId, page));
});
