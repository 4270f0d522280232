/**
 * A request target whose path does not percent-decode (`/packets/%zz`, a truncated UTF-8 sequence) with
 * every `%` of the path escaped as `%25`, so the path reads as the literal text the client sent; any
 * other target as it is. hapi answers such a path with its own 400 page before any function runs; this
 * way the route's function (a malformed id: 400 `invalid_input`) or the catch-all (404) answers instead.
 */
export function escapeUndecodablePath(target: string): string {
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  try {
    decodeURIComponent(path);
    return target;
  } catch {
    return path.replaceAll('%', '%25') + (queryAt === -1 ? '' : target.slice(queryAt));
  }
}
