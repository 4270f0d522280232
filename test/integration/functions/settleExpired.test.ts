import { describe, expect, it } from 'vitest';
import { activityIndexKey } from '../../../lib/packets/activity.ts';
import { SERVICE_NAME } from '../../../lib/runtime/metricNames.ts';
import { captureInvocation } from '../../harness/captureInvocation.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { lambdaContext } from '../../harness/lambdaContext.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useHandler } from '../../harness/useHandler.ts';

/** The settler's handler on real Redis, its output captured: what it refunded, as metrics. */

const redis = useRedis();

const handler = useHandler(
  () => import('../../../functions/settleExpired.ts'),
  () => ({
    STAGE: 'test',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/claims',
  }),
);

const plain = { service: SERVICE_NAME, stage: 'test' };

describe('settleExpired handler: metrics', () => {
  it('an expired packet: SettleRefunds 1, SettleRefundAmount its remainder, listed for the reconcile; then 0', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 700, count: 7, expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const first = await captureInvocation(() => handler({}, lambdaContext('settleExpired')));
    const again = await captureInvocation(() => handler({}, lambdaContext('settleExpired')));

    expect(first.result).toEqual({ settled: 1, failed: 0 });
    expect(first.metrics.get('SettleRefunds')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(first.metrics.get('SettleRefundAmount')).toEqual([
      { unit: 'None', dimensions: plain, value: 700 },
    ]);
    expect(first.metrics.get('SettleFailures')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    const index = activityIndexKey(packets.context.keyPrefix);
    expect(await packets.context.redis.zscore(index, packetId)).not.toBeNull();
    expect(again.metrics.get('SettleRefunds')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
  });
});
