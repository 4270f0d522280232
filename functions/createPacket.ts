import { httpHandler } from '../lib/http/httpHandler.ts';
import { parseJsonBody } from '../lib/http/parseJsonBody.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/** `POST /packets` `{totalAmount, count, mode?, expiresInSeconds?}` → 201 packet. */
export const handler = httpHandler(async ({ event, services, log }) => {
  const packet = await services.packets.createPacket(parseJsonBody(event));
  log.info('packet created', {
    packetId: packet.packetId,
    totalAmount: packet.totalAmount,
    count: packet.count,
  });
  return json(201, packet);
});
