import { describe, expect, it } from 'vitest';
import {
  createRedPackets,
  InsufficientFundsError,
  ownerKeys,
  packetIndexKey,
  packetKeys,
  type RedPackets,
} from '../../../lib/packets/index.ts';
import { keySlot } from '../../../lib/packets/keySlot.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();
const soon = () => ({ deadline: Date.now() + 5000 });

/** Every key and its content, to prove a call changed nothing. */
async function snapshot(): Promise<Record<string, unknown>> {
  const client = redis.client();
  const out: Record<string, unknown> = {};
  for (const key of (await client.keys('*')).sort()) {
    const type = await client.type(key);
    out[key] =
      type === 'hash'
        ? await client.hgetall(key)
        : type === 'zset'
          ? await client.zrange(key, 0, -1, 'WITHSCORES')
          : type === 'stream'
            ? await client.xrange(key, '-', '+')
            : type === 'set'
              ? (await client.smembers(key)).sort()
              : await client.get(key);
  }
  return out;
}

const credit = (rp: RedPackets, owner: string, amount: number, reference: string) =>
  rp.creditAccount({ owner, amount, reference });

describe('money has an owner (real Redis)', () => {
  it('50 concurrent creations against a balance that covers 20: exactly 20 created, balance 0, the rest refused, nothing else changed', async () => {
    const rp = createRedPackets(redis.client());
    await credit(rp, 'alice', 20 * 500, 'wire-1');

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => rp.createPacket({ totalAmount: 500, count: 5 }, 'alice')),
    );

    const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(created).toHaveLength(20);
    expect(refused).toHaveLength(30);
    expect(refused.every((e) => e instanceof InsufficientFundsError && e.code === 'insufficient_funds')).toBe(
      true,
    );
    expect(await rp.readAccount('alice')).toMatchObject({
      balance: 0,
      credited: 10_000,
      funded: 10_000,
      openPackets: 20,
    });
    const client = redis.client();
    const packetHashes = (await client.keys('rp:{pk_*}:packet')).length;
    expect(packetHashes).toBe(20); // no packet behind a refusal
    expect(await client.zcard(packetIndexKey('rp:'))).toBe(20);
    expect(created.every((p) => p.createdBy === 'alice')).toBe(true);
    expect((await rp.reconcileOwner('alice')).discrepancies).toEqual([]);
  });

  it('control: the same race with the check and the debit as separate commands overdraws the balance', async () => {
    const rp = createRedPackets(redis.client());
    await credit(rp, 'mallory', 20 * 500, 'wire-9');
    const client = redis.client();
    const account = ownerKeys('rp:', 'mallory').account;
    const naiveCreate = async () => {
      const balance = Number(await client.hget(account, 'balance'));
      if (balance < 500) return false;
      await new Promise((resolve) => setImmediate(resolve)); // what lies between a read and a write
      await client.hincrby(account, 'balance', -500);
      return true;
    };

    const created = (await Promise.all(Array.from({ length: 50 }, naiveCreate))).filter(Boolean).length;

    expect(created).toBeGreaterThan(20);
    expect(Number(await client.hget(account, 'balance'))).toBeLessThan(0);
  });

  it('insufficient funds, or a sender limit, refuses with a typed error and changes nothing', async () => {
    const rp = createRedPackets(redis.client(), {
      senderLimits: { maxOpenPackets: 2, maxPacketAmount: 1000 },
    });
    await credit(rp, 'bob', 2500, 'wire-2');
    await rp.createPacket({ totalAmount: 1000, count: 2 }, 'bob');
    await rp.createPacket({ totalAmount: 1000, count: 2 }, 'bob');
    const before = await snapshot();

    const errors = await Promise.all(
      [
        rp.createPacket({ totalAmount: 100, count: 2 }, 'bob'), // a third open packet
        rp.createPacket({ totalAmount: 1001, count: 2 }, 'bob'), // above the per-packet limit
        rp.createPacket({ totalAmount: 100, count: 2 }, 'nobody'), // no balance at all
      ].map((p) => p.catch((e: unknown) => e)),
    );

    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'sender_limit',
      'sender_limit',
      'insufficient_funds',
    ]);
    expect(errors[0]).toMatchObject({ limit: 'maxOpenPackets', value: 2 });
    expect(errors[2]).toMatchObject({ owner: 'nobody', balance: 0, required: 100 });
    expect(await snapshot()).toEqual(before);
  });

  it('a credit applies once per reference; the same reference with another amount is a conflict; bad credits change nothing', async () => {
    const rp = createRedPackets(redis.client());
    const first = await credit(rp, 'carol', 700, 'pay-77');
    const repeat = await credit(rp, 'carol', 700, 'pay-77');
    const before = await snapshot();
    const conflict = await credit(rp, 'carol', 900, 'pay-77').catch((e: unknown) => e);
    const bad = await Promise.all(
      [
        { owner: 'carol', amount: 0, reference: 'r' },
        { owner: 'carol', amount: 1.5, reference: 'r' },
        { owner: 'carol', amount: 5, reference: 'has space' },
        { owner: '', amount: 5, reference: 'r' },
        { owner: 'carol', amount: 5 },
      ].map((input) => rp.creditAccount(input).catch((e: unknown) => e)),
    );

    expect(first).toMatchObject({ applied: true, account: { balance: 700, credited: 700 } });
    expect(repeat).toMatchObject({ applied: false, account: { balance: 700 } });
    expect(conflict).toMatchObject({ name: 'CreditConflictError', code: 'credit_conflict' });
    expect(bad.every((e) => (e as { name?: string }).name === 'ValidationError')).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it("a packet is created in its owner's slot, so one script debits the account and creates it on a cluster too", async () => {
    const rp = createRedPackets(redis.client());
    for (const owner of ['dave', 'op:arn:aws:iam::123456789012:user/ops', 'user-{tag}']) {
      const { packetId } = await fundedPacket(rp, { totalAmount: 10, count: 1 }, owner);
      expect(keySlot(packetKeys('rp:', packetId).packet)).toBe(keySlot(ownerKeys('rp:', owner).account));
    }
  });

  it('reconcile --owner: the account adds up after claims, a batch and a settlement; each account check fires on its fault', async () => {
    let now = Date.now();
    const rp = createRedPackets(redis.client(), { now: () => now });
    const { packetId } = await fundedPacket(
      rp,
      { totalAmount: 1000, count: 4, mode: 'equal', expiresInSeconds: 60 },
      'op:erin',
    );
    await credit(rp, 'op:erin', 300, 'extra');
    await rp.recordClaim(packetId, 'u1');
    await rp.processItems(packetId, [{ kind: 'claim', userId: 'u1' }], soon());
    now += 61_000;
    await rp.settlePacket(packetId);
    const clean = await rp.reconcileOwner('op:erin');
    const account = ownerKeys('rp:', 'op:erin');
    const client = redis.client();

    expect(clean).toMatchObject({
      ok: true,
      account: { balance: 300 + 750, paidOut: 250, refunded: 750, openPackets: 0 },
    });
    await client.hincrby(account.account, 'balance', 1);
    expect((await rp.reconcileOwner('op:erin')).discrepancies.map((d) => d.check)).toEqual([
      'account_balance',
      'account_conservation',
    ]);
    await client.hincrby(account.account, 'balance', -1);
    await client.hincrby(account.account, 'paidOut', 5);
    expect((await rp.reconcileOwner('op:erin')).discrepancies.map((d) => d.check)).toEqual([
      'account_conservation',
    ]);
    await client.hincrby(account.account, 'paidOut', -5);
    await client.zadd(account.packets, now + 1000, packetId); // a settled packet listed as open
    expect((await rp.reconcileOwner('op:erin')).discrepancies.map((d) => d.check)).toEqual([
      'account_packets',
    ]);
  });

  it('reconcile catches a second refund in the ledger (refund_mismatch)', async () => {
    let now = Date.now();
    const rp = createRedPackets(redis.client(), { now: () => now });
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 2, expiresInSeconds: 1 });
    now += 2000;
    await rp.settlePacket(packetId);
    expect((await rp.reconcile(packetId)).discrepancies).toEqual([]);
    await redis
      .client()
      .xadd(
        packetKeys('rp:', packetId).ledger,
        '*',
        'id',
        'refund',
        'kind',
        'refund',
        'user',
        'x',
        'amount',
        '100',
        'fence',
        '1',
        'at',
        '1',
      );
    expect((await rp.reconcile(packetId)).discrepancies.map((d) => d.check)).toContain('refund_mismatch');
  });

  it('a message for an unknown packet leaves no key behind (no fence counter, no lock)', async () => {
    const rp = createRedPackets(redis.client());
    const before = await snapshot();
    const outcomes = await rp.processItems('pk_doesNotExist123', [{ kind: 'claim', userId: 'x' }], soon());
    expect(outcomes).toEqual([{ status: 'refused', reason: 'unknown_packet' }]);
    expect(await snapshot()).toEqual(before);
  });
});
