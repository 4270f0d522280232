import { requestUser } from '../lib/http/caller.ts';
import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler } from '../lib/http/httpHandler.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';
import { echoId } from '../lib/packets/index.ts';

/**
 * `GET /claims/{claimId}` → 200 `{claimId, packetId, userId, status, amount?, reason?, paidAt?}` for the
 * claim's own user; anyone else gets the same 404 as for a claim that does not exist.
 */
export const handler = httpHandler(async ({ event, services }) => {
  const user = requestUser(event, services.config);
  const claimId = pathParam(event, 'claimId');
  const claim = await services.packets.readClaim(claimId);
  if (!claim || claim.userId !== user) {
    throw new HttpError(404, 'claim_not_found', `no claim "${echoId(claimId)}"`);
  }
  return json(200, claim);
});
