import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createRedisLock } from '../../../lib/lock/index.ts';
import { claimIdFor } from '../../../lib/packets/index.ts';
import { SERVICE_NAME } from '../../../lib/runtime/metricNames.ts';
import { recordBatch, recordClaims } from '../../harness/acceptedItems.ts';
import { captureInvocation } from '../../harness/captureInvocation.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { lambdaContext } from '../../harness/lambdaContext.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useHandler } from '../../harness/useHandler.ts';

/**
 * The consumer's handler as Lambda runs it (real Redis, the container's services), its stdout captured:
 * the CloudWatch embedded metric format documents it writes for a paid, a rejected, a duplicate and a
 * failed record, and the Powertools log lines beside them.
 */

const redis = useRedis();

const handler = useHandler(
  () => import('../../../functions/consumeClaims.ts'),
  () => ({
    STAGE: 'test',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/claims',
    // The shortest wait the configuration accepts for a 1 s lease without drift (ttl + drift + 500 ms).
    LOCK_WAIT_MS: '1500',
    LOCK_TTL_MS: '1000',
    LOCK_DRIFT_MS: '0',
    LOG_LEVEL: 'info',
  }),
);

let n = 0;
const sqsRecord = (body: unknown, receives = 1): SQSRecord =>
  ({
    messageId: `m${++n}`,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receives) },
  }) as unknown as SQSRecord;
const claimRecord = (packetId: string, userId: string, receives = 1) =>
  sqsRecord(
    { v: 1, kind: 'claim', claimId: claimIdFor(packetId, userId), packetId, userId, requestedAt: Date.now() },
    receives,
  );

/** Runs the handler on `records`, its output captured. */
async function invoke(records: SQSRecord[]) {
  const context = lambdaContext('consumeClaims');
  const run = await captureInvocation(() => handler({ Records: records } as SQSEvent, context));
  return { ...run, requestId: context.awsRequestId };
}

const plain = { service: SERVICE_NAME, stage: 'test' };

describe('consumeClaims handler: metrics (EMF on stdout) and Powertools log lines', () => {
  it('a paid record: Payouts 1, PayoutAmount its amount, one LockWait; service and stage dimensions only', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(packets, packetId, ['alice']);

    const run = await invoke([claimRecord(packetId, 'alice')]);

    expect(run.result).toEqual({ batchItemFailures: [] });
    expect(run.metrics.get('Payouts')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(run.metrics.get('PayoutAmount')).toEqual([{ unit: 'None', dimensions: plain, value: 100 }]);
    const [wait] = run.metrics.get('LockWait') ?? [];
    expect(wait).toMatchObject({ unit: 'Milliseconds', dimensions: plain });
    expect(wait?.value).toBeGreaterThanOrEqual(0);
    for (const name of ['Duplicates', 'Retries', 'DlqBound', 'LockTimeouts', 'LockTakeovers']) {
      expect(run.metrics.get(name)).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    }
    expect(run.metrics.has('Rejections')).toBe(false);
    // Low cardinality: no packet, claim or user id in any document.
    for (const doc of run.documents) expect(JSON.stringify(doc)).not.toMatch(/pk_|alice/);
    const paid = run.logs.find((l) => l.message === 'paid');
    expect(paid).toMatchObject({
      level: 'INFO',
      service: SERVICE_NAME,
      function_name: 'red-packet-payouts-test-consumeClaims',
      packetId,
      claimId: claimIdFor(packetId, 'alice'),
      outcome: 'paid',
      amount: 100,
    });
    for (const line of run.logs) expect(line.function_request_id).toBe(run.requestId);
    expect(typeof paid?.cold_start).toBe('boolean');
    expect(paid?.fence).toBeGreaterThan(0);
  });

  it('a rejected record: Rejections 1 under its reason; a redelivery: Duplicates 1, nothing paid', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(packets, packetId, ['alice']);
    const first = claimRecord(packetId, 'alice');
    await invoke([first]);
    await recordBatch(packets, packetId, 'b1', [{ userId: 'bob', amount: 250 }]); // 200 is left
    const row = sqsRecord({
      v: 2,
      kind: 'payout',
      batchId: 'b1',
      packetId,
      userId: 'bob',
      amount: 250,
      requestedAt: Date.now(),
    });

    const rejected = await invoke([row]);
    const duplicate = await invoke([first]);

    expect(rejected.metrics.get('Rejections')).toEqual([
      {
        unit: 'Count',
        dimensions: { ...plain, reason: 'insufficient_budget' },
        value: 1,
      },
    ]);
    expect(rejected.metrics.get('Payouts')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    expect(duplicate.metrics.get('Duplicates')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(duplicate.metrics.get('Payouts')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    expect(duplicate.logs.find((l) => l.message === 'duplicate')).toMatchObject({ outcome: 'already_paid' });
  });

  it('a failed record on its last receive: LockTimeouts, Retries and DlqBound 1, published although the batch throws', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(packets, packetId, ['alice']);
    await createRedisLock(redis.client(), { ttlMs: 10_000 }).acquire(packetId); // held elsewhere

    const run = await invoke([claimRecord(packetId, 'alice', 5)]);

    expect(run.error).toMatchObject({ name: 'BatchFailedError' });
    for (const name of ['LockTimeouts', 'Retries', 'DlqBound']) {
      expect(run.metrics.get(name), name).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    }
    expect(run.metrics.get('Payouts')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    const [wait] = run.metrics.get('LockWait') ?? [];
    expect(wait?.value).toBeGreaterThanOrEqual(1400); // it waited out LOCK_WAIT_MS
    expect(run.logs.find((l) => l.message === 'record goes to the DLQ')).toMatchObject({ level: 'WARN' });
  });

  it('a lock whose holder crashed: taken over, LockTakeovers 1, and the record paid', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(packets, packetId, ['alice']);
    await createRedisLock(redis.client(), { ttlMs: 100 }).acquire(packetId); // and never released
    await new Promise((resolve) => setTimeout(resolve, 300)); // past its ttl (the consumers' drift is 0)

    const run = await invoke([claimRecord(packetId, 'alice')]);

    expect(run.result).toEqual({ batchItemFailures: [] });
    expect(run.metrics.get('LockTakeovers')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(run.metrics.get('LockTimeouts')).toEqual([{ unit: 'Count', dimensions: plain, value: 0 }]);
    expect(run.metrics.get('Payouts')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
  });

  it('POWERTOOLS_METRICS_DISABLED=true (the local stage) writes no EMF document', async () => {
    const { packets } = await (await import('../../../lib/runtime/services.ts')).getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(packets, packetId, ['alice']);
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    try {
      const run = await invoke([claimRecord(packetId, 'alice')]);
      expect(run.result).toEqual({ batchItemFailures: [] });
      expect(run.logs.some((l) => l.message === 'paid')).toBe(true);
      expect(run.documents).toEqual([]);
    } finally {
      delete process.env.POWERTOOLS_METRICS_DISABLED;
    }
  });
});
