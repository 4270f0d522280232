import { requestCaller } from '../lib/http/caller.ts';
import { httpHandler, pathParam } from '../lib/http/httpHandler.ts';
import { json } from '../lib/http/toHttpResponse.ts';
import { ownerIdSchema, ValidationError } from '../lib/packets/index.ts';

/**
 * `GET /balance` (a user's own account, JWT) or `GET /admin/balances/{owner}` (any account, IAM) → 200
 * `{owner, balance, credited, funded, paidOut, refunded, openPackets}`.
 */
export const handler = httpHandler(async ({ event, services }) => {
  const caller = requestCaller(event, services.config);
  const owner = caller.kind === 'operator' ? pathParam(event, 'owner') : caller.id;
  if (!ownerIdSchema.safeParse(owner).success) {
    throw new ValidationError('owner', [{ path: 'owner', message: 'must be 1-256 printable characters' }]);
  }
  return json(200, await services.packets.readAccount(owner));
});
