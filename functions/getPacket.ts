import { requestUser } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';
import { toPublicView } from '../lib/packets/index.ts';

/**
 * `GET /packets/{packetId}` → 200 the packet with its status, totals and shares left (its owner also sees
 * who funded it); 404.
 */
export const handler = httpHandler(async ({ event, services }) => {
  const user = requestUser(event, services.config);
  const packet = await services.packets.readPacket(pathParam(event, 'packetId'));
  return json(200, packet.createdBy === user ? packet : toPublicView(packet));
});
