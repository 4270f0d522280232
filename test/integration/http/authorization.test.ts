import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimIdFor } from '../../../lib/packets/index.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { useRedis } from '../../harness/redisFixture.ts';

// The handlers as API Gateway invokes them on a deployed stage: identities come from the authorizers'
// context (a JWT's sub, an IAM principal), never from headers.
const redis = useRedis();
const sqs = useQueue();
type Handler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const handlers: Record<string, Handler> = {};
const context = {
  functionName: 'test',
  awsRequestId: 'req',
  getRemainingTimeInMillis: () => 10_000,
} as Context;
const ARN = 'arn:aws:iam::123456789012:user/ops';

beforeAll(async () => {
  Object.assign(process.env, {
    STAGE: 'prod',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: sqs.queues.queueUrl,
    SQS_ENDPOINT: sqs.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LOG_LEVEL: 'silent',
  });
  for (const name of [
    'createPacket',
    'getPacket',
    'listPayouts',
    'createClaim',
    'getClaim',
    'getBalance',
    'creditBalance',
    'createPayoutBatch',
    'getPayoutBatch',
  ]) {
    handlers[name] = ((await import(`../../../functions/${name}.ts`)) as { handler: Handler }).handler;
  }
});

/** An HTTP API event for `routeKey` (`POST /packets/{packetId}/claims`), filled in from `params`. */
function call(
  name: string,
  routeKey: string,
  who: { user?: string; iam?: string; headers?: Record<string, string> },
  params: Record<string, string> = {},
  body?: unknown,
) {
  const [method, template = ''] = routeKey.split(' ');
  const rawPath = template.replace(/\{(\w+)\}/g, (_, p: string) => params[p] ?? '');
  const authorizer = who.user
    ? { jwt: { claims: { sub: who.user }, scopes: [] } }
    : who.iam
      ? { iam: { userArn: who.iam } }
      : undefined;
  const event = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...who.headers },
    pathParameters: params,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path: rawPath },
      routeKey,
      stage: '$default',
      ...(authorizer ? { authorizer } : {}),
    },
  };
  return (handlers[name] as Handler)(event, context).then((r) => ({
    status: r.statusCode,
    body: JSON.parse(String(r.body)) as Record<string, unknown> & { error?: { code: string } },
  }));
}

describe('who may call what (the handlers with deployed identities)', () => {
  it('money: a user creates packets from their own balance only; operators credit balances', async () => {
    const broke = await call(
      'createPacket',
      'POST /packets',
      { user: 'alice' },
      {},
      { totalAmount: 500, count: 5 },
    );
    const byUser = await call(
      'creditBalance',
      'POST /admin/balances/{owner}/credits',
      { user: 'alice' },
      { owner: 'alice' },
      { amount: 500, reference: 'r1' },
    );
    const credited = await call(
      'creditBalance',
      'POST /admin/balances/{owner}/credits',
      { iam: ARN },
      { owner: 'alice' },
      { amount: 500, reference: 'r1' },
    );
    const created = await call(
      'createPacket',
      'POST /packets',
      { user: 'alice' },
      {},
      { totalAmount: 500, count: 5 },
    );
    const campaign = await call(
      'createPacket',
      'POST /admin/packets',
      { iam: ARN },
      {},
      { totalAmount: 10, count: 1 },
    );
    const balance = await call('getBalance', 'GET /balance', { user: 'alice' });
    const viaAdmin = await call(
      'getBalance',
      'GET /admin/balances/{owner}',
      { iam: ARN },
      { owner: 'alice' },
    );

    expect(broke).toMatchObject({ status: 402, body: { error: { code: 'insufficient_funds' } } });
    // A user's JWT on an operator route: API Gateway's IAM authorizer refuses it before the handler; the
    // handler itself finds no IAM principal there and refuses too.
    expect(byUser).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    expect(credited).toMatchObject({ status: 200, body: { applied: true, account: { balance: 500 } } });
    expect(created).toMatchObject({ status: 201, body: { createdBy: 'alice', totalAmount: 500 } });
    expect(campaign).toMatchObject({ status: 402 }); // the operator's own account was never credited
    expect(balance).toMatchObject({ status: 200, body: { owner: 'alice', balance: 0, funded: 500 } });
    expect(viaAdmin.body).toEqual(balance.body);
  });

  it('reads: a claim only by its user, payouts only by the owner and operators, the packet without its owner for others', async () => {
    await call(
      'creditBalance',
      'POST /admin/balances/{owner}/credits',
      { iam: ARN },
      { owner: 'olivia' },
      { amount: 300, reference: 'r2' },
    );
    const created = await call(
      'createPacket',
      'POST /packets',
      { user: 'olivia' },
      {},
      { totalAmount: 300, count: 3 },
    );
    const packetId = String(created.body.packetId);
    const claimed = await call(
      'createClaim',
      'POST /packets/{packetId}/claims',
      { user: 'bob' },
      { packetId },
    );
    const claimId = claimIdFor(packetId, 'bob');

    const matrix = {
      ownClaim: await call('getClaim', 'GET /claims/{claimId}', { user: 'bob' }, { claimId }),
      othersClaim: await call('getClaim', 'GET /claims/{claimId}', { user: 'carol' }, { claimId }),
      ownersLookAtClaim: await call('getClaim', 'GET /claims/{claimId}', { user: 'olivia' }, { claimId }),
      payoutsByOwner: await call(
        'listPayouts',
        'GET /packets/{packetId}/payouts',
        { user: 'olivia' },
        { packetId },
      ),
      payoutsByClaimer: await call(
        'listPayouts',
        'GET /packets/{packetId}/payouts',
        { user: 'bob' },
        { packetId },
      ),
      payoutsByOperator: await call(
        'listPayouts',
        'GET /admin/packets/{packetId}/payouts',
        { iam: ARN },
        { packetId },
      ),
      packetByOwner: await call('getPacket', 'GET /packets/{packetId}', { user: 'olivia' }, { packetId }),
      packetByClaimer: await call('getPacket', 'GET /packets/{packetId}', { user: 'bob' }, { packetId }),
    };

    expect(claimed.status).toBe(202);
    expect(matrix.ownClaim).toMatchObject({ status: 200, body: { userId: 'bob' } });
    expect(matrix.othersClaim).toEqual({
      status: 404,
      body: { error: { code: 'claim_not_found', message: expect.any(String), details: [] } },
    });
    expect(matrix.ownersLookAtClaim.status).toBe(404);
    expect(matrix.payoutsByOwner).toMatchObject({ status: 200, body: { items: [] } });
    expect(matrix.payoutsByClaimer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(matrix.payoutsByOperator.status).toBe(200);
    expect(matrix.packetByOwner.body).toMatchObject({ createdBy: 'olivia', remainingCount: 3 });
    expect(matrix.packetByClaimer.status).toBe(200);
    expect(matrix.packetByClaimer.body).not.toHaveProperty('createdBy');
    expect(matrix.packetByClaimer.body).toMatchObject({ status: 'open', remainingCount: 3 });
  });

  it('no identity, or only a header, is 401 on a deployed stage; a user id posing as an operator is refused', async () => {
    const headerOnly = { headers: { 'x-user-id': 'alice', 'x-operator-id': 'ops' } };
    const results = await Promise.all([
      call('createPacket', 'POST /packets', {}, {}, { totalAmount: 1, count: 1 }),
      call('createPacket', 'POST /packets', headerOnly, {}, { totalAmount: 1, count: 1 }),
      call('getClaim', 'GET /claims/{claimId}', headerOnly, { claimId: 'x' }),
      call('getPacket', 'GET /packets/{packetId}', {}, { packetId: 'pk_x' }),
      call('getBalance', 'GET /admin/balances/{owner}', headerOnly, { owner: 'alice' }),
      call(
        'createPayoutBatch',
        'POST /payout-batches',
        headerOnly,
        {},
        { packetId: 'pk_x', items: [{ userId: 'a', amount: 1 }] },
      ),
    ]);
    expect(results.map((r) => [r.status, r.body.error?.code])).toEqual(
      Array(6).fill([401, 'unauthenticated']),
    );
    expect(
      await call('createPacket', 'POST /packets', { user: 'op:sneaky' }, {}, { totalAmount: 1, count: 1 }),
    ).toMatchObject({ status: 400, body: { error: { code: 'invalid_user' } } });
  });

  it("a payout batch pays only from an operator's packet, never from a user's", async () => {
    await call(
      'creditBalance',
      'POST /admin/balances/{owner}/credits',
      { iam: ARN },
      { owner: 'ursula' },
      { amount: 100, reference: 'r3' },
    );
    const users = await call(
      'createPacket',
      'POST /packets',
      { user: 'ursula' },
      {},
      { totalAmount: 100, count: 2 },
    );
    await call(
      'creditBalance',
      'POST /admin/balances/{owner}/credits',
      { iam: ARN },
      { owner: `op:${ARN}` },
      { amount: 100, reference: 'r4' },
    );
    const operators = await call(
      'createPacket',
      'POST /admin/packets',
      { iam: ARN },
      {},
      { totalAmount: 100, count: 2 },
    );
    const items = [{ userId: 'w1', amount: 10 }];

    const fromUsers = await call(
      'createPayoutBatch',
      'POST /payout-batches',
      { iam: ARN },
      {},
      { packetId: users.body.packetId, items },
    );
    const fromOperators = await call(
      'createPayoutBatch',
      'POST /payout-batches',
      { iam: ARN },
      {},
      { packetId: operators.body.packetId, items },
    );

    expect(operators.body).toMatchObject({ createdBy: `op:${ARN}` });
    expect(fromUsers).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(fromOperators).toMatchObject({ status: 202, body: { accepted: 1 } });

    // The audit record: the IAM caller who first submitted the batch, kept when another resubmits it.
    const other = 'arn:aws:iam::123456789012:user/other-ops';
    await call(
      'createPayoutBatch',
      'POST /payout-batches',
      { iam: other },
      {},
      { packetId: operators.body.packetId, items },
    );
    const batchId = String(fromOperators.body.batchId);
    const status = await call('getPayoutBatch', 'GET /payout-batches/{batchId}', { iam: other }, { batchId });
    expect(status).toMatchObject({ status: 200, body: { batchId, requestedBy: `op:${ARN}`, items: 1 } });
  });
});
