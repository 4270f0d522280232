import { describe, expect, it } from 'vitest';
import { SERVICE_NAME } from '../../../lib/runtime/metricNames.ts';
import { captureInvocation } from '../../harness/captureInvocation.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { lambdaContext } from '../../harness/lambdaContext.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useHandler } from '../../harness/useHandler.ts';

/** The sweeper's handler on real Redis and the SQS emulator, its output captured: re-sends as metrics. */

const redis = useRedis();
const sqs = useQueue();

const handler = useHandler(
  () => import('../../../functions/sweepUnsent.ts'),
  () => ({
    STAGE: 'test',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: sqs.queues.queueUrl,
    SQS_ENDPOINT: sqs.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    RESEND_AFTER_MS: '100',
  }),
);

const plain = { service: SERVICE_NAME, stage: 'test' };

describe('sweepUnsent handler: metrics', () => {
  it('a claim recorded but never sent (a door that died): SweeperResends 1, the message on the queue', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3 });
    await packets.recordClaim(packetId, 'alice'); // recorded as unsent; the send never happened
    await new Promise((resolve) => setTimeout(resolve, 200)); // past RESEND_AFTER_MS

    const run = await captureInvocation(() => handler({}, lambdaContext('sweepUnsent')));

    expect(run.result).toMatchObject({ resent: 1, failed: 0 });
    expect(run.metrics.get('SweeperResends')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(run.metrics.get('SweeperSendFailures')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    expect(await sqs.depth()).toBe(1);
  });
});
