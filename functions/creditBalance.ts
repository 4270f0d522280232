import { requestCaller } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { parseJsonBody } from '../lib/http/parseJsonBody.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/**
 * `POST /admin/balances/{owner}/credits` `{amount, reference}` → 200 `{applied, account}`: credits the
 * owner once per reference (a repeat answers `applied: false`; another amount under the same reference is
 * 409 `credit_conflict`). Operators only (IAM).
 */
export const handler = httpHandler(async ({ event, services, log }) => {
  const operator = requestCaller(event, services.config);
  const body = parseJsonBody(event);
  const input = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : { body };
  const result = await services.packets.creditAccount({ ...input, owner: pathParam(event, 'owner') });
  log.info('balance credited', {
    owner: result.account.owner,
    applied: result.applied,
    balance: result.account.balance,
    requestedBy: operator.id,
  });
  return json(200, result);
});
