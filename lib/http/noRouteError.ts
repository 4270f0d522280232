import { HttpError } from './HttpError.ts';
import { matchRoute } from './matchRoute.ts';

/**
 * What the catch-all answers for a request no route took: 405 `method_not_allowed` with an `allow` header
 * when its path is a route's under other methods, else 404 `route_not_found`. Neither echoes the request
 * or lists the routes.
 */
export function noRouteError(method: string, path: string): HttpError {
  const { route, allow } = matchRoute(method, path);
  if (route !== undefined || allow.length === 0) {
    return new HttpError(404, 'route_not_found', 'no route matches this path');
  }
  return new HttpError(405, 'method_not_allowed', 'this path does not take this method', [], {
    allow: allow.join(', '),
  });
}
