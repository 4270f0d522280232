import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRedisLock } from '../../../lib/lock/index.ts';
import { createRedPackets, packetIndexKey, packetKeys, type RedPackets } from '../../../lib/packets/index.ts';
import { recordClaims } from '../../harness/acceptedItems.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';

const redis = useRedis();
const LOCK = { ttlMs: 300, driftMs: 20 };
const soon = () => ({ deadline: Date.now() + 5000 });
const claim = (userId: string) => ({ kind: 'claim' as const, userId });

/** A packet that expires with claims still queued: 2 paid before expiry, 3 accepted but undecided. */
async function expiredWithQueuedClaims(rp: RedPackets, owner: string) {
  const { packetId } = await fundedPacket(
    rp,
    { totalAmount: 1000, count: 10, mode: 'equal', expiresInSeconds: 1 },
    owner,
  );
  await recordClaims(rp, packetId, ['a', 'b', 'c', 'd', 'e']);
  await rp.processItems(packetId, [claim('a'), claim('b')], soon());
  await sleep(1100);
  return packetId;
}

/** Two settler processes race one packet; one is SIGKILLed `killAfterMs` after both were told to go. */
async function race(mode: 'locked' | 'naive', packetId: string, killAfterMs: number) {
  const env = { REDIS_URL: redis.url, MODE: mode, LOCK_OPTIONS: JSON.stringify(LOCK) };
  const [victim, survivor] = [spawnWorker('settleWorker', env), spawnWorker('settleWorker', env)];
  await Promise.all([victim.next('ready'), survivor.next('ready')]);
  victim.send({ type: 'settle', packetId });
  survivor.send({ type: 'settle', packetId });
  await sleep(killAfterMs);
  victim.signal('SIGKILL');
  await survivor.next<WorkerMessage & { refunded: number }>('settled', 20_000);
  await victim.exited;
}

describe('settling an expired packet', () => {
  it('claims queued at expiry are decided (rejected: expired); the remainder is refunded once, even when two settlers race and one is SIGKILLed midway', async () => {
    const rp = createRedPackets(redis.client(), { lock: createRedisLock(redis.client(), LOCK) });
    for (const killAfterMs of [0, 1, 2, 4, 8, 15]) {
      const owner = `op:owner-${killAfterMs}`;
      const packetId = await expiredWithQueuedClaims(rp, owner);
      const before = await rp.readAccount(owner);

      await race('locked', packetId, killAfterMs);
      const late = await rp.processItems(packetId, ['c', 'd', 'e'].map(claim), soon()); // their messages arrive
      const again = await rp.settlePacket(packetId);

      const after = await rp.readAccount(owner);
      const packet = await rp.readPacket(packetId);
      const refunds = (await rp.listPayouts(packetId)).items.filter((p) => p.kind === 'refund');
      expect(late.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual([
        'expired',
        'expired',
        'expired',
      ]);
      // Settling counted the 3 shares the door held for c, d and e among the refunded ones; their
      // rejections gave the shares back, so only the 2 paid stay taken.
      expect(again).toMatchObject({ settled: 'before', heldShares: 3 });
      expect(packet).toMatchObject({
        status: 'settled',
        refunded: 800,
        refundedCount: 8,
        remaining: 0,
        reserved: 2,
      });
      expect(refunds).toEqual([expect.objectContaining({ amount: 800, userId: owner })]);
      expect(after.balance - before.balance).toBe(800); // exactly once
      expect((await rp.reconcile(packetId)).discrepancies).toEqual([]);
      expect((await rp.reconcileOwner(owner)).discrepancies).toEqual([]);
    }
  }, 120_000);

  it('control: settlers that read, credit and empty in separate steps, with no lock, refund twice', async () => {
    const rp = createRedPackets(redis.client());
    let doubled = 0;
    for (let round = 0; round < 3; round++) {
      const owner = `op:naive-${round}`;
      const packetId = await expiredWithQueuedClaims(rp, owner);
      const before = await rp.readAccount(owner);
      await race('naive', packetId, 1500); // killed after both finished
      const after = await rp.readAccount(owner);
      if (after.balance - before.balance > 800) doubled++;
    }
    expect(doubled).toBe(3);
  }, 60_000);

  it('refuses a packet that has not expired (409 not_expired), and an unknown one', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 2 });
    await expect(rp.settlePacket(packetId)).rejects.toMatchObject({
      name: 'PacketNotExpiredError',
      code: 'not_expired',
    });
    await expect(rp.settlePacket('pk_nope')).rejects.toMatchObject({ name: 'PacketNotFoundError' });
    expect((await rp.readPacket(packetId)).status).toBe('open');
  });

  it('retention: a settled packet leaves Redis after it, the export taken before holds every ledger entry, the account stays', async () => {
    const client = redis.client();
    const rp = createRedPackets(client, { retentionMs: 400 });
    const owner = 'op:retention';
    const packetId = await expiredWithQueuedClaims(rp, owner);
    await rp.processItems(packetId, ['c', 'd', 'e'].map(claim), soon());

    await rp.settlePacket(packetId);
    const ledger = await client.xrange(packetKeys('rp:', packetId).ledger, '-', '+');
    const exported = [];
    for await (const entry of rp.exportLedger(packetId)) exported.push(entry);
    const keysOfPacket = async () => (await client.keys('*')).filter((k) => k.includes(`{${packetId}}`));
    const whileRetained = await keysOfPacket();
    await sleep(600);
    const afterRetention = await keysOfPacket();

    expect(exported.map((e) => e.entryId)).toEqual(ledger.map(([id]) => id)); // every entry, in order
    expect(exported.map((e) => e.kind ?? 'payout')).toEqual(['payout', 'payout', 'refund']);
    expect(whileRetained.length).toBeGreaterThan(3);
    expect(afterRetention).toEqual([]);
    expect((await rp.readAccount(owner)).refunded).toBe(800);
    expect((await rp.reconcileOwner(owner)).discrepancies).toEqual([]);
    await expect(rp.readPacket(packetId)).rejects.toMatchObject({ name: 'PacketNotFoundError' });
    expect(await client.zscore(packetIndexKey('rp:'), packetId)).not.toBeNull(); // the sweeper forgets it
  }, 30_000);

  it('settleExpired settles every expired packet of the index once, and leaves open ones alone', async () => {
    const rp = createRedPackets(redis.client());
    const expired = await Promise.all(
      [1, 2, 3].map(() => fundedPacket(rp, { totalAmount: 300, count: 3, expiresInSeconds: 1 })),
    );
    const open = await fundedPacket(rp, { totalAmount: 300, count: 3 });
    await sleep(1100);

    const first = await rp.settleExpired();
    const second = await rp.settleExpired();

    expect(first.settled.map((s) => s.packetId).sort()).toEqual(expired.map((p) => p.packetId).sort());
    expect(first.settled.every((s) => s.refunded === 300)).toBe(true);
    expect(second.settled).toEqual([]);
    expect((await rp.readPacket(open.packetId)).status).toBe('open');
  }, 30_000);
});
