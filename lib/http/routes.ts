/**
 * The HTTP API's routes as API Gateway route keys (`METHOD /path/{param}`), the one list of them in code:
 * the catch-all answers 405 from it, every `{param}` names a schema in `PATH_PARAMS`, and the template
 * test holds it equal to the routes serverless.yml renders.
 */
export const ROUTE_KEYS = [
  'POST /packets',
  'POST /admin/packets',
  'GET /packets/{packetId}',
  'GET /packets/{packetId}/payouts',
  'GET /admin/packets/{packetId}/payouts',
  'POST /packets/{packetId}/claims',
  'GET /claims/{claimId}',
  'GET /balance',
  'GET /admin/balances/{owner}',
  'POST /admin/balances/{owner}/credits',
  'POST /admin/packets/{packetId}/settle',
  'POST /payout-batches',
  'GET /payout-batches/{batchId}',
] as const;

/** One route of {@link ROUTE_KEYS}. */
export type RouteKey = (typeof ROUTE_KEYS)[number];

/** The catch-all route (serverless `httpApi: '*'`): what matches no route above reaches it. */
export const DEFAULT_ROUTE_KEY = '$default';
