import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { invocationLogger, type Logger } from '../runtime/logger.ts';
import { createMetrics, type MetricsRecorder } from '../runtime/metrics.ts';
import { errorResponse } from './toHttpResponse.ts';

/** What every HTTP route gets: the event, a logger bound to the request, and the invocation's metrics. */
export interface EdgeContext {
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  log: Logger;
  metrics: MetricsRecorder;
}

/** A Lambda handler of the HTTP API. */
export type HttpLambda = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Wraps a route that needs no services (the catch-all; `httpHandler` builds on it): every error becomes
 * the JSON error shape, never a stack; log lines carry the API Gateway request id as `correlation_id`, and
 * what the route recorded in `metrics` is published when it has answered.
 */
export function edgeHandler(
  route: (ctx: EdgeContext) => Promise<APIGatewayProxyStructuredResultV2>,
): HttpLambda {
  return async (event, context) => {
    const log = invocationLogger(context, event.requestContext?.requestId);
    const metrics = createMetrics();
    try {
      return await route({ event, log, metrics });
    } catch (error) {
      return errorResponse(error, log);
    } finally {
      metrics.publish();
    }
  };
}
