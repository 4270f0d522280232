import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler, pathParam } from '../lib/http/httpHandler.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/** `GET /claims/{claimId}` → 200 `{claimId, packetId, userId, status, amount?, reason?, paidAt?}`; 404. */
export const handler = httpHandler(async ({ event, services }) => {
  const claimId = pathParam(event, 'claimId');
  const claim = await services.packets.readClaim(claimId);
  if (!claim) throw new HttpError(404, 'claim_not_found', `no claim "${claimId.slice(0, 200)}"`);
  return json(200, claim);
});
