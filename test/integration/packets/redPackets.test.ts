import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedisLock } from '../../../lib/lock/index.ts';
import {
  claimIdFor,
  createRandom,
  createRedPackets,
  type ItemOutcome,
  PacketNotFoundError,
  packetKeys,
  ValidationError,
} from '../../../lib/packets/index.ts';
import { recordBatch, recordClaims, recordUnreservedClaims } from '../../harness/acceptedItems.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();
const claim = (userId: string) => ({ kind: 'claim' as const, userId });
const soon = () => ({ deadline: Date.now() + 5000 });

function packets(options: { now?: () => number; ttlMs?: number } = {}) {
  const client = redis.client();
  return createRedPackets(client, {
    lock: createRedisLock(client, { ttlMs: options.ttlMs ?? 5000 }),
    random: createRandom(1),
    ...(options.now ? { now: options.now } : {}),
  });
}

/**
 * Every packet key on the server with its content, to prove that a call changed nothing. The lock's own
 * keys are left out: every acquisition advances the fence counter by design.
 */
async function snapshot(): Promise<Record<string, unknown>> {
  const client = redis.client();
  const out: Record<string, unknown> = {};
  const keys = (await client.keys('*')).filter((key) => !/:(lock|fence)$/.test(key));
  for (const key of keys.sort()) {
    const type = await client.type(key);
    out[key] =
      type === 'hash'
        ? await client.hgetall(key)
        : type === 'stream'
          ? await client.xrange(key, '-', '+')
          : type === 'zset'
            ? await client.zrange(key, 0, -1, 'WITHSCORES')
            : type === 'set'
              ? (await client.smembers(key)).sort()
              : await client.get(key);
  }
  return out;
}

describe('red packets (real Redis)', () => {
  it('creates a packet and reads it back with derived status', async () => {
    const rp = packets();
    const created = await fundedPacket(rp, { totalAmount: 10_000, count: 3, mode: 'equal' });
    const read = await rp.readPacket(created.packetId);
    expect(read).toMatchObject({
      totalAmount: 10_000,
      count: 3,
      remaining: 10_000,
      status: 'open',
      paidCount: 0,
    });
    expect(created.packetId).toMatch(/^pk_/);
  });

  it('pays claims, repeats outcomes for repeated users, rejects once exhausted, and reconciles', async () => {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 3, mode: 'equal' });
    await recordClaims(rp, packetId, ['a', 'b', 'c']);
    // Every share is held: the door turns the next user away and records nothing for them ...
    await expect(rp.recordClaim(packetId, 'e')).rejects.toMatchObject({ code: 'packet_exhausted' });
    // ... while a claim recorded before the door reserved shares holds none: only a free share pays it.
    await recordUnreservedClaims(rp, packetId, ['d']);

    const first = await rp.processItems(packetId, [claim('a'), claim('b'), claim('a')], soon());
    const second = await rp.processItems(packetId, [claim('c'), claim('d'), claim('b')], soon());

    expect(first.map((o) => o.status)).toEqual(['paid', 'paid', 'paid']);
    expect(first[2]).toEqual({ ...first[0], duplicate: true });
    expect(second[0]).toMatchObject({ status: 'paid', amount: 333 });
    expect(second[1]).toMatchObject({ status: 'rejected', reason: 'exhausted' });
    expect(second[2]).toEqual({ ...first[1], duplicate: true });
    const amounts = [first[0], first[1], second[0]].map((o) => (o as { amount: number }).amount);
    expect(amounts).toEqual([334, 333, 333]);
    expect(await rp.readPacket(packetId)).toMatchObject({
      status: 'exhausted',
      remaining: 0,
      reserved: 3,
      paidAmount: 1000,
    });
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidAmount: 1000, paidCount: 3 });
    expect(await rp.readClaim(claimIdFor(packetId, 'e'))).toBeNull();
    expect(await rp.readClaim(claimIdFor(packetId, 'd'))).toMatchObject({
      status: 'rejected',
      reason: 'exhausted',
    });
    expect(await rp.readClaim(claimIdFor(packetId, 'a'))).toMatchObject({
      status: 'paid',
      amount: 334,
      userId: 'a',
    });
    expect(await rp.readClaim(claimIdFor(packetId, 'nobody'))).toBeNull();
  });

  it('a packet from before the door reserved (no counter) counts its paid shares as taken', async () => {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 300, count: 3, mode: 'equal' });
    const keys = packetKeys('rp:', packetId);
    await recordUnreservedClaims(rp, packetId, ['old']); // queued before the upgrade
    await rp.processItems(packetId, [claim('old')], soon());
    await redis.client().hdel(keys.packet, 'reserved'); // as such a packet is stored: 1 of 3 paid

    const door = [];
    for (const user of ['n1', 'n2', 'n3']) {
      door.push(
        await rp.recordClaim(packetId, user).then(
          () => 202,
          (error: { code?: string }) => error.code,
        ),
      );
    }
    await rp.processItems(packetId, [claim('n1'), claim('n2')], soon());

    expect(door).toEqual([202, 202, 'packet_exhausted']); // 2 shares were left, not 3
    expect(await redis.client().hget(keys.packet, 'reserved')).toBe('3');
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 3, reserved: 3 });
  });

  it('a redelivered group changes nothing', async () => {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 5000, count: 10 });
    await recordClaims(rp, packetId, ['a', 'b']);
    await recordBatch(rp, packetId, 'b1', [{ userId: 'z', amount: 100 }]);
    const group = [claim('a'), claim('b'), { kind: 'payout', batchId: 'b1', userId: 'z', amount: 100 }];
    const once = await rp.processItems(packetId, group, soon());
    const before = await snapshot();

    const again = await rp.processItems(packetId, group, soon());

    expect(once.map((o) => o.status)).toEqual(['paid', 'paid', 'paid']);
    expect(again).toEqual(once.map((o) => ({ ...o, duplicate: true })));
    expect(await snapshot()).toEqual(before);
  });

  it('rejects claims on an expired packet', async () => {
    let now = Date.now();
    const rp = packets({ now: () => now });
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 2, expiresInSeconds: 60 });
    await recordClaims(rp, packetId, ['late']);
    now += 61_000;
    expect(await rp.processItems(packetId, [claim('late')], { deadline: now + 5000 })).toEqual([
      { status: 'rejected', id: claimIdFor(packetId, 'late'), reason: 'expired', duplicate: false },
    ]);
    expect((await rp.readPacket(packetId)).status).toBe('expired');
  });

  it('pays an over-budget batch in order up to what fits', async () => {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 10 });
    const rows = [400, 400, 400, 100].map((amount, i) => ({ userId: `u${i}`, amount }));
    await recordBatch(rp, packetId, 'b', rows);
    const items = rows.map((row) => ({ kind: 'payout', batchId: 'b', ...row }));
    const outcomes = await rp.processItems(packetId, items, soon());
    expect(
      outcomes.map((o) => (o.status === 'paid' ? o.amount : o.status === 'rejected' ? o.reason : 'retry')),
    ).toEqual([400, 400, 'insufficient_budget', 100]);
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidAmount: 900 });
  });

  it('lists payouts page by page', async () => {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 10_000, count: 5 });
    await recordClaims(rp, packetId, ['a', 'b', 'c', 'd', 'e']);
    await rp.processItems(packetId, ['a', 'b', 'c', 'd', 'e'].map(claim), soon());
    const page1 = await rp.listPayouts(packetId, { limit: 2 });
    const page2 = await rp.listPayouts(packetId, { limit: 2, cursor: page1.nextCursor ?? '' });
    const page3 = await rp.listPayouts(packetId, { limit: 2, cursor: page2.nextCursor ?? '' });
    expect([...page1.items, ...page2.items, ...page3.items].map((p) => p.userId)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(page3.nextCursor).toBeNull();
    await expect(rp.listPayouts(packetId, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(rp.listPayouts(packetId, { cursor: 'abc' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects bad input with a typed error and changes nothing', async () => {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 2 });
    const before = await snapshot();
    const bad: unknown[] = [
      { totalAmount: -1, count: 1 },
      { totalAmount: 1.5, count: 1 },
      { totalAmount: 1e15, count: 1 },
      { count: 1 },
      { totalAmount: '100', count: 1 },
    ];
    for (const input of bad)
      await expect(rp.createPacket(input, 'op:test')).rejects.toBeInstanceOf(ValidationError);
    for (const item of [
      { kind: 'claim' },
      { kind: 'payout', batchId: 'b', userId: 'u', amount: -5 },
      { kind: 'payout', batchId: 'b', itemId: '1', userId: 'u', amount: 5 },
      'x',
      null,
    ]) {
      await expect(rp.processItems(packetId, [claim('ok'), item], soon())).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await snapshot()).toEqual(before);
    await expect(rp.readPacket('pk_missing')).rejects.toBeInstanceOf(PacketNotFoundError);
    await expect(rp.readPacket('{bad}')).rejects.toBeInstanceOf(PacketNotFoundError);
    expect(await rp.processItems('pk_missing', [claim('a')], soon())).toEqual([
      { status: 'refused', reason: 'unknown_packet' },
    ]);
  });

  it('turns a lock that cannot be had by the deadline into retry outcomes', async () => {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 2 });
    await rp.context.lock.acquire(packetId); // someone else holds it
    const outcomes = await rp.processItems(packetId, [claim('a'), claim('b')], {
      deadline: Date.now() + 300,
    });
    expect(outcomes.map((o) => o.status)).toEqual(['retry', 'retry']);
    expect((outcomes[0] as Extract<ItemOutcome, { status: 'retry' }>).error.name).toBe('LockTimeoutError');
  });

  it('property: any interleaving of concurrent groups with duplicates keeps I1 and I2', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 500 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 8 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.boolean(),
        async (count, extra, groups, atTheDoor) => {
          const rp = packets();
          const { packetId } = await fundedPacket(rp, { totalAmount: count + extra, count });
          const users = [...new Set(groups.flat().map((u) => `u${u}`))];
          if (atTheDoor) {
            // The door reserves a share for the first `count` users and turns the rest away (their
            // messages, had any been sent, are refused as not recorded).
            for (const user of users) await rp.recordClaim(packetId, user).catch(() => undefined);
          } else await recordUnreservedClaims(rp, packetId, users); // more claimers than shares
          const results = await Promise.all(
            groups.map((users) =>
              rp.processItems(
                packetId,
                users.map((u) => claim(`u${u}`)),
                soon(),
              ),
            ),
          );
          const report = await rp.reconcile(packetId);
          expect(report.discrepancies).toEqual([]);
          const distinctUsers = new Set(groups.flat()).size;
          expect(report.paidCount).toBe(Math.min(count, distinctUsers));
          expect(report.reserved).toBe(report.paidCount);
          expect(results.flat().every((o) => o.status !== 'retry')).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});
