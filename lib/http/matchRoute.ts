import { ROUTE_KEYS, type RouteKey } from './routes.ts';

/** What the route table says of a request. */
export interface RouteMatch {
  /** The route the method and path match, if any. */
  route: RouteKey | undefined;
  /** The methods of the routes whose template the path matches, sorted (none: an unknown path). */
  allow: string[];
}

const TEMPLATES = ROUTE_KEYS.map((key) => {
  const [method = '', template = ''] = key.split(' ');
  return { key, method, segments: template.split('/') };
});

/** Whether `path` fits `segments`: the same literals, and one non-empty segment for each `{param}`. */
const fits = (segments: readonly string[], parts: readonly string[]) =>
  segments.length === parts.length &&
  segments.every((segment, i) => (segment.startsWith('{') ? parts[i] !== '' : segment === parts[i]));

/**
 * Matches a request against {@link ROUTE_KEYS} as API Gateway does: methods exactly, path segment by
 * segment (a `{param}` is one non-empty segment, so `/packets/` and `/packets//claims` match nothing).
 */
export function matchRoute(method: string, path: string): RouteMatch {
  const parts = path.split('/');
  const matching = TEMPLATES.filter((t) => fits(t.segments, parts));
  return {
    route: matching.find((t) => t.method === method)?.key,
    allow: [...new Set(matching.map((t) => t.method))].sort(),
  };
}
