import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { claimIdFor, createRedPackets } from '../../../lib/packets/index.ts';
import { SERVICE_NAME } from '../../../lib/runtime/metricNames.ts';
import { recordClaims } from '../../harness/acceptedItems.ts';
import { captureInvocation } from '../../harness/captureInvocation.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { lambdaContext } from '../../harness/lambdaContext.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useHandler } from '../../harness/useHandler.ts';

/**
 * The consumer's handler with `REDIS_MIN_REPLICAS=1` on a Redis that has no replica (the injected fault: a
 * replica lost): its commit cannot be confirmed, the record is retried, and `UnderReplicated` counts it.
 */

const redis = useRedis();

const handler = useHandler(
  () => import('../../../functions/consumeClaims.ts'),
  () => ({
    STAGE: 'test',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/claims',
    REDIS_MIN_REPLICAS: '1',
    REDIS_WAIT_TIMEOUT_MS: '50',
  }),
);

describe('consumeClaims handler: an under-replicated commit', () => {
  it('is retried and counted as UnderReplicated and Retries', async () => {
    // The door recorded the claim on a healthy store (no replica required).
    const door = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(door, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(door, packetId, ['alice']);
    const record = {
      messageId: 'm1',
      body: JSON.stringify({
        v: 1,
        kind: 'claim',
        claimId: claimIdFor(packetId, 'alice'),
        packetId,
        userId: 'alice',
        requestedAt: Date.now(),
      }),
      attributes: { ApproximateReceiveCount: '1' },
    } as unknown as SQSRecord;

    const run = await captureInvocation(() =>
      handler({ Records: [record] } as SQSEvent, lambdaContext('consumeClaims')),
    );

    const plain = { service: SERVICE_NAME, stage: 'test' };
    expect(run.error).toMatchObject({ name: 'BatchFailedError' }); // its only record: the whole batch retried
    expect(run.metrics.get('UnderReplicated')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(run.metrics.get('Retries')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(run.metrics.get('Payouts')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    expect(run.logs.some((l) => l.message === 'retry: not durable yet')).toBe(true);
  });
});
