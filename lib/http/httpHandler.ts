import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getServices, type Services } from '../runtime/services.ts';
import { type EdgeContext, edgeHandler, type HttpLambda } from './edgeHandler.ts';

/** What an HTTP route gets: the event, the shared services and a logger bound to the request. */
export interface RouteContext extends EdgeContext {
  services: Services;
}

/** Wraps a route: builds its context, and turns every error into the JSON error shape (never a stack). */
export function httpHandler(
  route: (ctx: RouteContext) => Promise<APIGatewayProxyStructuredResultV2>,
): HttpLambda {
  return edgeHandler(async (ctx) => route({ ...ctx, services: await getServices() }));
}
