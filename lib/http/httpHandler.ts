import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { createLogger, type Logger } from '../runtime/logger.ts';
import { getServices, type Services } from '../runtime/services.ts';
import { errorResponse } from './toHttpResponse.ts';

/** What an HTTP route gets: the event, the shared services and a logger bound to the request. */
export interface RouteContext {
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  services: Services;
  log: Logger;
}

/** Wraps a route: builds its context, and turns every error into the JSON error shape (never a stack). */
export function httpHandler(
  route: (ctx: RouteContext) => Promise<APIGatewayProxyStructuredResultV2>,
): (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event, context) => {
    const log = createLogger({ fn: context.functionName, requestId: context.awsRequestId });
    try {
      return await route({ event, services: await getServices(), log });
    } catch (error) {
      return errorResponse(error, log);
    }
  };
}

/** A path parameter, or 404 when absent (API Gateway never routes without it, but a bad test harness might). */
export function pathParam(event: APIGatewayProxyEventV2WithJWTAuthorizer, name: string): string {
  return event.pathParameters?.[name] ?? '';
}
