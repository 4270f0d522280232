import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { requestCaller } from '../../../lib/http/caller.ts';
import type { HttpError } from '../../../lib/http/HttpError.ts';

const LOCAL = { STAGE: 'local', IS_OFFLINE: 'true' } as const;
const DEPLOYED = { STAGE: 'prod', IS_OFFLINE: undefined } as const;
const event = (routeKey: string, headers: Record<string, string>, authorizer?: unknown) =>
  ({
    routeKey,
    headers,
    requestContext: authorizer ? { authorizer } : {},
  }) as unknown as APIGatewayProxyEventV2;
const answer = (run: () => unknown) => {
  try {
    return run();
  } catch (error) {
    return { status: (error as HttpError).status, code: (error as HttpError).code };
  }
};

describe('requestCaller: repeated identity headers', () => {
  it('refuses a repeated x-user-id or x-operator-id on the local stage (they arrive comma-joined)', () => {
    expect(answer(() => requestCaller(event('GET /balance', { 'x-user-id': 'alice,bob' }), LOCAL))).toEqual({
      status: 400,
      code: 'duplicate_header',
    });
    expect(
      answer(() => requestCaller(event('GET /admin/balances/{owner}', { 'x-operator-id': 'a,b' }), LOCAL)),
    ).toEqual({ status: 400, code: 'duplicate_header' });
    expect(requestCaller(event('GET /balance', { 'x-user-id': 'alice' }), LOCAL)).toEqual({
      kind: 'user',
      id: 'alice',
    });
  });

  it('reads no identity header on a deployed stage, repeated or not', () => {
    const jwt = { jwt: { claims: { sub: 'carol' } } };
    expect(requestCaller(event('GET /balance', { 'x-user-id': 'alice,bob' }, jwt), DEPLOYED)).toEqual({
      kind: 'user',
      id: 'carol',
    });
    expect(answer(() => requestCaller(event('GET /balance', { 'x-user-id': 'a,b' }), DEPLOYED))).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
  });
});
