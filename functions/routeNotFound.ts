import { edgeHandler } from '../lib/http/edgeHandler.ts';
import { noRouteError } from '../lib/http/noRouteError.ts';

/**
 * The HTTP API's `$default` route: whatever no route takes gets our 404 `route_not_found`, or 405
 * `method_not_allowed` with `allow`, instead of API Gateway's or serverless-offline's page. Touches
 * neither Redis nor SQS.
 */
export const handler = edgeHandler(async ({ event }) => {
  throw noRouteError(event.requestContext.http.method, event.rawPath);
});
