import { requestCaller } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/**
 * `GET /balance` (a user's own account, JWT) or `GET /admin/balances/{owner}` (any account, IAM) → 200
 * `{owner, balance, credited, funded, paidOut, refunded, openPackets}`.
 */
export const handler = httpHandler(async ({ event, services }) => {
  const caller = requestCaller(event, services.config);
  const owner = caller.kind === 'operator' ? pathParam(event, 'owner') : caller.id;
  return json(200, await services.packets.readAccount(owner));
});
