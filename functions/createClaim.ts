import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acceptClaim } from '../lib/claims/acceptClaim.ts';
import { withClaimMetrics } from '../lib/claims/withClaimMetrics.ts';
import { requestUser } from '../lib/http/caller.ts';
import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler, type RouteContext } from '../lib/http/httpHandler.ts';
import { parseJsonBody, requestBodyText } from '../lib/http/parseJsonBody.ts';
import { pathParam } from '../lib/http/pathParam.ts';
import { json } from '../lib/http/toHttpResponse.ts';
import { getQueue } from '../lib/runtime/getQueue.ts';

/**
 * `POST /packets/{packetId}/claims` → 202 `{claimId, status, shareHeld}`: a share of the packet is held for
 * this user; 410 `packet_exhausted` at once when every share is taken. The user comes from the JWT `sub`
 * (or, on the local stage, `x-user-id`); a body, if any, must be an empty JSON object.
 */
export const handler = httpHandler(withClaimMetrics(claimRoute));

async function claimRoute({
  event,
  services,
  log,
}: RouteContext): Promise<APIGatewayProxyStructuredResultV2> {
  if (requestBodyText(event).trim() !== '') {
    const body = parseJsonBody(event);
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length > 0) {
      throw new HttpError(400, 'invalid_input', 'a claim takes no body (or {})');
    }
  }
  const userId = requestUser(event, services.config);
  const packetId = pathParam(event, 'packetId');
  const claim = await acceptClaim(services.packets.context, getQueue(services.config), packetId, userId, log);
  log.info('claim accepted', { packetId, claimId: claim.claimId, outcome: claim.status });
  return json(202, claim);
}
