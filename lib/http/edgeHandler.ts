import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { createLogger, type Logger } from '../runtime/logger.ts';
import { errorResponse } from './toHttpResponse.ts';

/** What every HTTP route gets: the event and a logger bound to the request. */
export interface EdgeContext {
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  log: Logger;
}

/** A Lambda handler of the HTTP API. */
export type HttpLambda = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Wraps a route that needs no services (the catch-all; `httpHandler` builds on it): every error becomes
 * the JSON error shape, never a stack.
 */
export function edgeHandler(
  route: (ctx: EdgeContext) => Promise<APIGatewayProxyStructuredResultV2>,
): HttpLambda {
  return async (event, context) => {
    const log = createLogger({ fn: context.functionName, requestId: context.awsRequestId });
    try {
      return await route({ event, log });
    } catch (error) {
      return errorResponse(error, log);
    }
  };
}
