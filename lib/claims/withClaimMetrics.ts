import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteContext } from '../http/httpHandler.ts';
import { errorCode } from '../http/toHttpResponse.ts';

/**
 * The door's route, counted: each 202 adds one to `ClaimsAccepted`, each error one to `ClaimsTurnedAway`
 * under the code it is answered with (`packet_exhausted`, `packet_expired`, `queue_unavailable`, …).
 */
export function withClaimMetrics(
  route: (ctx: RouteContext) => Promise<APIGatewayProxyStructuredResultV2>,
): (ctx: RouteContext) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (ctx) => {
    try {
      const response = await route(ctx);
      ctx.metrics.add('ClaimsAccepted', 1);
      return response;
    } catch (error) {
      ctx.metrics.add('ClaimsTurnedAway', 1, errorCode(error));
      throw error;
    }
  };
}
