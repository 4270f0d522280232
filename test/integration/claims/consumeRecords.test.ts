import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BatchFailedError, consumeRecords } from '../../../lib/claims/consumeRecords.ts';
import { createRedisLock } from '../../../lib/lock/index.ts';
import { claimIdFor, createRedPackets, packetKeys } from '../../../lib/packets/index.ts';
import type { Logger } from '../../../lib/runtime/logger.ts';
import { recordBatch, recordClaims } from '../../harness/acceptedItems.ts';
import { captureLogger } from '../../harness/captureLogger.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();
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
const payoutRecord = (packetId: string, batchId: string, userId: string, amount: number) =>
  record({ v: 2, kind: 'payout', batchId, packetId, userId, amount, requestedAt: Date.now() });

const capture = captureLogger;
const options = (log: Logger) => ({ remainingMs: 30_000, maxLockWaitMs: 100, log });

describe('consumeRecords (real Redis)', () => {
  it('reports only the records that must wait, acknowledges the ones that can never succeed', async () => {
    const rp = createRedPackets(redis.client());
    const busy = (await fundedPacket(rp, { totalAmount: 100, count: 5 })).packetId;
    const free = (await fundedPacket(rp, { totalAmount: 100, count: 5 })).packetId;
    await recordClaims(rp, busy, ['a', 'b']);
    await recordClaims(rp, free, ['a']);
    await createRedisLock(redis.client(), { ttlMs: 10_000 }).acquire(busy); // held elsewhere
    const waiting = [claimRecord(busy, 'a'), claimRecord(busy, 'b')];
    const others = [
      claimRecord(free, 'a'),
      record('not json'),
      record({ v: 9 }),
      claimRecord('pk_unknown', 'x'),
    ];

    const result = await consumeRecords(rp, [...waiting, ...others], options(capture()));

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      waiting.map((r) => r.messageId).sort(),
    );
    expect(await rp.readClaim(claimIdFor(free, 'a'))).toMatchObject({ status: 'paid' });
  });

  it('pays only what was accepted: a claim nobody made and a payout of an unrecorded batch are refused, logged, and pay nothing', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 10 });
    await recordClaims(rp, packetId, ['alice']);
    await recordBatch(rp, packetId, 'real', [{ userId: 'bob', amount: 100 }]);
    const forged = [
      claimRecord(packetId, 'mallory'), // never claimed over HTTP
      payoutRecord(packetId, 'never-recorded', 'mallory', 500), // no such batch
      payoutRecord(packetId, 'real', 'mallory', 100), // a real batch, but not this user
      payoutRecord(packetId, 'real', 'bob', 900), // a real item, with another amount
    ];
    const genuine = [claimRecord(packetId, 'alice'), payoutRecord(packetId, 'real', 'bob', 100)];
    const log = capture();

    const result = await consumeRecords(rp, [...forged, ...genuine], options(log));

    expect(result.batchItemFailures).toEqual([]); // acknowledged: retrying cannot make them valid
    const refused = log.lines.filter((l) => l.message === 'refused');
    expect(refused.map((l) => [l.messageId, l.reason])).toEqual([
      [forged[0]?.messageId, 'not_recorded'],
      [forged[1]?.messageId, 'not_recorded'],
      [forged[2]?.messageId, 'not_recorded'],
      [forged[3]?.messageId, 'item_conflict'],
    ]);
    expect(refused[1]).toMatchObject({ batchId: 'never-recorded', userId: 'mallory', packetId });
    const report = await rp.reconcile(packetId);
    expect(report).toMatchObject({ ok: true, paidCount: 2 });
    expect((await rp.listPayouts(packetId)).items.map((p) => [p.userId, p.amount])).toEqual(
      expect.arrayContaining([
        ['alice', expect.any(Number)],
        ['bob', 100],
      ]),
    );
    expect(await redis.client().hexists(packetKeys('rp:', packetId).claims, 'u:mallory')).toBe(0);
    expect(log.lines.at(-1)).toMatchObject({
      message: 'batch consumed',
      paid: 2,
      refused: { not_recorded: 3, item_conflict: 1 },
    });
  });

  it('logs a redelivery as a duplicate (already_paid), never as a second payment', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 10 });
    await recordClaims(rp, packetId, ['alice']);
    const log = capture();

    await consumeRecords(rp, [claimRecord(packetId, 'alice')], options(log));
    for (let i = 0; i < 4; i++) await consumeRecords(rp, [claimRecord(packetId, 'alice')], options(log));

    expect(log.lines.filter((l) => l.message === 'paid')).toHaveLength(1);
    const duplicates = log.lines.filter((l) => l.message === 'duplicate');
    expect(duplicates).toHaveLength(4);
    expect(duplicates.every((l) => l.outcome === 'already_paid' && typeof l.messageId === 'string')).toBe(
      true,
    );
    expect((await rp.reconcile(packetId)).paidCount).toBe(1);
  });

  it('fails the whole batch only when every record failed; a failed group names its messages and items', async () => {
    const rp = createRedPackets(redis.client());
    const busy = (await fundedPacket(rp, { totalAmount: 100, count: 5 })).packetId;
    await recordClaims(rp, busy, ['a', 'b']);
    await createRedisLock(redis.client(), { ttlMs: 10_000 }).acquire(busy);
    const records = [claimRecord(busy, 'a'), claimRecord(busy, 'b')];
    const log = capture();

    const error = await consumeRecords(rp, records, options(log)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BatchFailedError);
    expect((error as BatchFailedError).messageIds).toEqual(records.map((r) => r.messageId));
    expect(log.lines.filter((l) => l.message === 'retry').map((l) => [l.messageId, l.claimId])).toEqual(
      records.map((r, i) => [r.messageId, claimIdFor(busy, ['a', 'b'][i] as string)]),
    );
    expect(await consumeRecords(rp, [], options(log))).toEqual({ batchItemFailures: [] });

    // A group that throws (a permanent fault: a lock value this library did not write) names every record.
    const poisoned = (await fundedPacket(rp, { totalAmount: 100, count: 5 })).packetId;
    await recordClaims(rp, poisoned, ['c']);
    await redis.client().set(packetKeys('rp:', poisoned).packet.replace(':packet', ':lock'), 'garbage');
    const bad = claimRecord(poisoned, 'c');
    await consumeRecords(rp, [bad, claimRecord(busy, 'z')], options(log)).catch(() => undefined);
    expect(log.lines.find((l) => l.message === 'group failed')).toMatchObject({
      packetId: poisoned,
      records: [{ messageId: bad.messageId, claimId: claimIdFor(poisoned, 'c') }],
    });
  });
});
