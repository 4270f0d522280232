import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { userIdSchema } from '../packets/schemas.ts';
import { HttpError } from './HttpError.ts';

/**
 * The caller's user id: the JWT authorizer's `sub` on deployed stages; on the `local` stage only, the
 * `x-user-id` header (there is no authorizer under serverless-offline). 401 when missing, 400 when invalid.
 */
export function requestUser(event: APIGatewayProxyEventV2WithJWTAuthorizer, stage: string): string {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const fromJwt = claims?.sub;
  const raw = fromJwt ?? (stage === 'local' ? event.headers?.['x-user-id'] : undefined);
  if (raw === undefined || raw === '') {
    throw new HttpError(
      401,
      'unauthenticated',
      stage === 'local' ? 'send the x-user-id header' : 'missing identity',
    );
  }
  const parsed = userIdSchema.safeParse(String(raw));
  if (!parsed.success)
    throw new HttpError(400, 'invalid_user', 'the user id must be 1-128 printable characters');
  return parsed.data;
}
