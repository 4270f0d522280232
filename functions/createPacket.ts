import { requestCaller } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { parseJsonBody } from '../lib/http/parseJsonBody.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/**
 * `POST /packets` (a user, JWT) or `POST /admin/packets` (an operator campaign, IAM)
 * `{totalAmount, count, mode?, expiresInSeconds?}` → 201 packet, funded from the caller's balance;
 * 402 `insufficient_funds`, 409 `sender_limit`.
 */
export const handler = httpHandler(async ({ event, services, log }) => {
  const caller = requestCaller(event, services.config);
  const packet = await services.packets.createPacket(parseJsonBody(event), caller.id);
  log.info('packet created', {
    packetId: packet.packetId,
    owner: caller.id,
    totalAmount: packet.totalAmount,
    count: packet.count,
  });
  return json(201, packet);
});
