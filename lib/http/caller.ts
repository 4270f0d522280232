import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { OPERATOR_PREFIX, ownerIdSchema, userIdSchema } from '../packets/schemas.ts';
import { type Config, trustsIdentityHeaders } from '../runtime/config.ts';
import { HttpError } from './HttpError.ts';

/** Who is calling: a user (JWT routes) or an operator (IAM routes under `/admin/` and `/payout-batches`). */
export type Caller = { kind: 'user'; id: string } | { kind: 'operator'; id: string };

/** The authorizer context API Gateway puts on an HTTP API event, for either kind of route. */
interface AuthorizerContext {
  jwt?: { claims?: Record<string, unknown> };
  iam?: { userArn?: string };
}

/** The settings that decide whether identity headers are trusted. */
type IdentitySettings = Pick<Config, 'STAGE' | 'IS_OFFLINE'>;

/** Operators' routes: signed with SigV4 (`aws_iam`) when deployed. */
const OPERATOR_PATH = /^\/(admin|payout-batches)(\/|$)/;

/**
 * A stand-in identity header (local stage only), or undefined when absent. Repeated headers reach a
 * function comma-joined (API Gateway's payload 2.0 joins them, and the local stack makes serverless-offline
 * do the same: infra/offline/combineRepeatedHeaders.ts), so a comma means two identities: 400
 * `duplicate_header`, never one of them picked.
 */
function identityHeader(
  event: APIGatewayProxyEventV2,
  name: 'x-user-id' | 'x-operator-id',
): string | undefined {
  const value = event.headers?.[name];
  if (value?.includes(',')) {
    throw new HttpError(400, 'duplicate_header', `send one ${name} header`, [
      { path: name, message: 'was sent more than once' },
    ]);
  }
  return value;
}

/** The route's path template (`/admin/packets`), or the request's path when the event has no route key. */
const routePath = (event: APIGatewayProxyEventV2) => event.routeKey?.split(' ')[1] ?? event.rawPath ?? '';

/**
 * The caller of this request. Deployed, a user is the JWT authorizer's `sub` and an operator the IAM
 * principal (`op:<userArn>`). Only on the `local` stage under serverless-offline (which has no
 * authorizers; see {@link trustsIdentityHeaders}), the headers stand in: `x-user-id` on user routes, `x-operator-id` on operator routes (`op:local` when
 * absent). 401 without an identity, 400 for a malformed one (a user id may not start with `op:`) or a
 * repeated header.
 */
export function requestCaller(event: APIGatewayProxyEventV2, config: IdentitySettings): Caller {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext } | undefined)?.authorizer;
  const local = trustsIdentityHeaders(config);
  if (OPERATOR_PATH.test(routePath(event))) {
    const arn = authorizer?.iam?.userArn;
    const raw = arn ?? (local ? (identityHeader(event, 'x-operator-id') ?? 'local') : undefined);
    if (!raw) throw new HttpError(401, 'unauthenticated', 'missing IAM identity');
    const parsed = ownerIdSchema.safeParse(`${OPERATOR_PREFIX}${raw}`);
    if (!parsed.success) throw new HttpError(400, 'invalid_user', 'the operator id must be printable ASCII');
    return { kind: 'operator', id: parsed.data };
  }
  const sub = authorizer?.jwt?.claims?.sub;
  const raw = sub ?? (local ? identityHeader(event, 'x-user-id') : undefined);
  if (raw === undefined || raw === '') {
    throw new HttpError(401, 'unauthenticated', local ? 'send the x-user-id header' : 'missing identity');
  }
  const parsed = userIdSchema.safeParse(String(raw));
  if (!parsed.success || parsed.data.startsWith(OPERATOR_PREFIX)) {
    throw new HttpError(
      400,
      'invalid_user',
      'the user id must be 1-128 printable characters, not starting with op:',
    );
  }
  return { kind: 'user', id: parsed.data };
}

/** The caller, who must be a user (a JWT route). */
export function requestUser(event: APIGatewayProxyEventV2, config: IdentitySettings): string {
  const caller = requestCaller(event, config);
  if (caller.kind !== 'user') throw new HttpError(403, 'forbidden', 'this route is for users');
  return caller.id;
}
