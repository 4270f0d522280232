import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAME } from '../../../lib/runtime/metricNames.ts';
import { captureInvocation } from '../../harness/captureInvocation.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { lambdaContext } from '../../harness/lambdaContext.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useHandler } from '../../harness/useHandler.ts';

/**
 * The door's handler as Lambda runs it (real Redis, the SQS emulator), its output captured: a 202 counts
 * `ClaimsAccepted`, an error `ClaimsTurnedAway` under the code it answered, and the log lines carry the
 * API Gateway request id as `correlation_id`.
 */

const redis = useRedis();
const sqs = useQueue();

const handler = useHandler(
  () => import('../../../functions/createClaim.ts'),
  () => ({
    STAGE: 'local',
    IS_OFFLINE: 'true',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: sqs.queues.queueUrl,
    SQS_ENDPOINT: sqs.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    LOG_LEVEL: 'info',
  }),
);

let n = 0;
const claim = (packetId: string, userId: string) => {
  const requestId = `apigw-${++n}`;
  const event = {
    version: '2.0',
    routeKey: 'POST /packets/{packetId}/claims',
    rawPath: `/packets/${packetId}/claims`,
    rawQueryString: '',
    headers: { 'x-user-id': userId },
    pathParameters: { packetId },
    requestContext: { requestId, http: { method: 'POST', path: `/packets/${packetId}/claims` } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  return { requestId, run: captureInvocation(() => handler(event, lambdaContext('createClaim'))) };
};

const plain = { service: SERVICE_NAME, stage: 'local' };

describe('createClaim handler: door metrics', () => {
  it('a 202 counts ClaimsAccepted; a claim on an exhausted packet counts ClaimsTurnedAway packet_exhausted', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 100, count: 1 });

    const first = claim(packetId, 'alice');
    const accepted = await first.run;
    const turnedAway = await claim(packetId, 'bob').run;

    expect(accepted.result).toMatchObject({ statusCode: 202 });
    expect(accepted.metrics.get('ClaimsAccepted')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(accepted.metrics.has('ClaimsTurnedAway')).toBe(false);
    expect(accepted.logs.find((l) => l.message === 'claim accepted')).toMatchObject({
      correlation_id: first.requestId,
      packetId,
    });
    expect(turnedAway.result).toMatchObject({ statusCode: 410 });
    expect(turnedAway.metrics.get('ClaimsTurnedAway')).toEqual([
      { unit: 'Count', dimensions: { ...plain, reason: 'packet_exhausted' }, value: 1 },
    ]);
    expect(turnedAway.metrics.has('ClaimsAccepted')).toBe(false);
    for (const doc of [...accepted.documents, ...turnedAway.documents]) {
      expect(JSON.stringify(doc)).not.toMatch(/pk_|alice|bob/);
    }
  });
});
