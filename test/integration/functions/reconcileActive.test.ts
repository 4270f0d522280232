import type { SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumeRecords } from '../../../lib/claims/consumeRecords.ts';
import { activityIndexKey } from '../../../lib/packets/activity.ts';
import { claimIdFor, packetKeys, type RedPackets } from '../../../lib/packets/index.ts';
import { SERVICE_NAME } from '../../../lib/runtime/metricNames.ts';
import { recordClaims } from '../../harness/acceptedItems.ts';
import { captureInvocation } from '../../harness/captureInvocation.ts';
import { captureLogger } from '../../harness/captureLogger.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { lambdaContext } from '../../harness/lambdaContext.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useHandler } from '../../harness/useHandler.ts';

/**
 * The scheduled reconcile's handler on real Redis, its output captured: packets the consumer acted on are
 * listed, checked once quiet, and a broken invariant (an injected fault) is counted as
 * `ReconcileDiscrepancies` (the alarm's metric) and logged; a clean run counts 0.
 */

const redis = useRedis();
let packets: RedPackets;

const handler = useHandler(
  () => import('../../../functions/reconcileActive.ts'),
  () => ({
    STAGE: 'test',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/claims',
    LOG_LEVEL: 'info',
  }),
);
beforeAll(async () => {
  ({ packets } = await (await import('../../../lib/runtime/services.ts')).getServices());
});

let n = 0;
/** A packet whose claims the real consumer paid (so it listed the packet), then left quiet for 2 minutes. */
async function paidPacket(users: string[]): Promise<string> {
  const { packetId } = await fundedPacket(packets, { totalAmount: 1000, count: 10, mode: 'equal' });
  await recordClaims(packets, packetId, users);
  const records = users.map(
    (userId) =>
      ({
        messageId: `m${++n}`,
        body: JSON.stringify({
          v: 1,
          kind: 'claim',
          claimId: claimIdFor(packetId, userId),
          packetId,
          userId,
          requestedAt: Date.now(),
        }),
      }) as SQSRecord,
  );
  const result = await consumeRecords(packets, records, {
    remainingMs: 30_000,
    maxLockWaitMs: 1000,
    log: captureLogger(),
  });
  expect(result.batchItemFailures).toEqual([]);
  const index = activityIndexKey(packets.context.keyPrefix);
  expect(await packets.context.redis.zscore(index, packetId)).not.toBeNull(); // the consumer listed it
  await packets.context.redis.zadd(index, Date.now() - 120_000, packetId);
  return packetId;
}

const invoke = () => captureInvocation(() => handler({}, lambdaContext('reconcileActive')));
const plain = { service: SERVICE_NAME, stage: 'test' };
const listed = (packetId: string) =>
  packets.context.redis.zscore(activityIndexKey(packets.context.keyPrefix), packetId);

describe('reconcileActive handler (the scheduled reconcile)', () => {
  it('clean packets: checked, ReconcileDiscrepancies 0, and taken off the list', async () => {
    const a = await paidPacket(['u1', 'u2']);
    const b = await paidPacket(['u3']);

    const run = await invoke();

    expect(run.result).toEqual({ checked: 2, discrepancies: 0, backlog: 0 });
    expect(run.metrics.get('PacketsReconciled')).toEqual([{ unit: 'Count', dimensions: plain, value: 2 }]);
    expect(run.metrics.get('ReconcileDiscrepancies')).toEqual([
      { unit: 'Count', dimensions: plain, value: 0 },
    ]);
    expect(await listed(a)).toBeNull();
    expect(await listed(b)).toBeNull();
  });

  it('an injected fault (remaining raised by 1 behind the ledger): counted, logged, and reported again next run', async () => {
    const clean = await paidPacket(['u1']);
    const broken = await paidPacket(['u2', 'u3']);
    await packets.context.redis.hincrby(packetKeys(packets.context.keyPrefix, broken).packet, 'remaining', 1);

    const first = await invoke();
    const second = await invoke();

    expect(first.result).toMatchObject({ checked: 2, backlog: 1 });
    const [counted] = first.metrics.get('ReconcileDiscrepancies') ?? [];
    expect(counted).toMatchObject({ unit: 'Count', dimensions: plain });
    expect(counted?.value).toBeGreaterThan(0);
    const logged = first.logs.filter((l) => l.message === 'reconcile discrepancy');
    expect(logged.length).toBe(counted?.value);
    expect(logged[0]).toMatchObject({ level: 'ERROR', packetId: broken, outcome: 'discrepancy' });
    expect(logged.map((l) => l.check)).toContain('conservation_amount');
    for (const doc of first.documents) expect(JSON.stringify(doc)).not.toContain('pk_');
    expect(await listed(clean)).toBeNull();
    expect(await listed(broken)).not.toBeNull(); // kept: the alarm stays raised until it is repaired
    expect(second.result).toMatchObject({ checked: 1, discrepancies: counted?.value, backlog: 1 });
  });

  it('a packet with activity in the last minute waits for the next run', async () => {
    const { packetId } = await fundedPacket(packets, { totalAmount: 100, count: 1 });
    await packets.context.redis.zadd(activityIndexKey(packets.context.keyPrefix), Date.now(), packetId);

    const run = await invoke();

    expect(run.result).toEqual({ checked: 0, discrepancies: 0, backlog: 1 });
    expect(run.metrics.get('ReconcileBacklog')).toEqual([{ unit: 'Count', dimensions: plain, value: 1 }]);
    expect(await listed(packetId)).not.toBeNull();
  });
});
