import { httpHandler, pathParam } from '../lib/http/httpHandler.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/** `GET /packets/{packetId}` → 200 packet with status and paid totals; 404. */
export const handler = httpHandler(async ({ event, services }) =>
  json(200, await services.packets.readPacket(pathParam(event, 'packetId'))),
);
