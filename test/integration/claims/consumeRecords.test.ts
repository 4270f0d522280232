import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BatchFailedError, consumeRecords } from '../../../lib/claims/consumeRecords.ts';
import { createRedisLock } from '../../../lib/lock/index.ts';
import { claimIdFor, createRedPackets } from '../../../lib/packets/index.ts';
import { createLogger } from '../../../lib/runtime/logger.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();
const log = createLogger({}, 'silent');
let n = 0;
const record = (body: unknown): SQSRecord =>
  ({ messageId: `m${++n}`, body: typeof body === 'string' ? body : JSON.stringify(body) }) as SQSRecord;
const claimRecord = (packetId: string, userId: string) =>
  record({
    v: 1,
    kind: 'claim',
    claimId: claimIdFor(packetId, userId),
    packetId,
    userId,
    requestedAt: Date.now(),
  });

describe('consumeRecords (real Redis)', () => {
  it('reports only the records that must wait, acknowledges the ones that can never succeed', async () => {
    const rp = createRedPackets(redis.client());
    const busy = (await rp.createPacket({ totalAmount: 100, count: 5 })).packetId;
    const free = (await rp.createPacket({ totalAmount: 100, count: 5 })).packetId;
    await createRedisLock(redis.client(), { ttlMs: 10_000 }).acquire(busy); // held elsewhere
    const waiting = [claimRecord(busy, 'a'), claimRecord(busy, 'b')];
    const others = [
      claimRecord(free, 'a'),
      record('not json'),
      record({ v: 9 }),
      claimRecord('pk_unknown', 'x'),
    ];

    const result = await consumeRecords(rp, [...waiting, ...others], {
      remainingMs: 30_000,
      maxLockWaitMs: 100,
      log,
    });

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      waiting.map((r) => r.messageId).sort(),
    );
    expect(await rp.readClaim(claimIdFor(free, 'a'))).toMatchObject({ status: 'paid' });
  });

  it('fails the whole batch only when every record failed', async () => {
    const rp = createRedPackets(redis.client());
    const busy = (await rp.createPacket({ totalAmount: 100, count: 5 })).packetId;
    await createRedisLock(redis.client(), { ttlMs: 10_000 }).acquire(busy);
    const records = [claimRecord(busy, 'a'), claimRecord(busy, 'b')];

    const error = await consumeRecords(rp, records, { remainingMs: 30_000, maxLockWaitMs: 100, log }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(BatchFailedError);
    expect((error as BatchFailedError).messageIds).toEqual(records.map((r) => r.messageId));
    expect(await consumeRecords(rp, [], { remainingMs: 30_000, maxLockWaitMs: 100, log })).toEqual({
      batchItemFailures: [],
    });
  });
});
