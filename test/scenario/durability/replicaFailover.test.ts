import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedisReplicaSet } from '../../../infra/local/redisReplicaSet.ts';
import { createRedisLock } from '../../../lib/lock/index.ts';
import { createRedPackets, type RedPackets } from '../../../lib/packets/index.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { startPipeline } from '../../harness/pipelineDriver.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { settled, storedPayout } from '../../harness/settled.ts';

const sqs = useQueue({ visibilityTimeoutSeconds: 1 });

/**
 * A primary and a replica; claims and a batch in flight. Replication is cut (the replica SIGSTOPped) while
 * the consumers go on; then the primary is SIGKILLed, the replica promoted (and given a new replica, as a
 * managed service does), and the door and consumers pointed at it. `minReplicas` is what every
 * acknowledgement waits for (`REDIS_MIN_REPLICAS`).
 */
async function failoverMidRun(minReplicas: number) {
  const set = await startRedisReplicaSet();
  const clients: Redis[] = [];
  const packetsOn = (url: string): RedPackets => {
    const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
    redis.on('error', () => {});
    clients.push(redis);
    return createRedPackets(redis, {
      lock: createRedisLock(redis, { ttlMs: 1000 }),
      durability: { minReplicas, waitTimeoutMs: 100 },
    });
  };
  const setup = createRedPackets(new Redis(set.primary.url));
  const claims = (await fundedPacket(setup, { totalAmount: 100_000, count: 150 })).packetId;
  const batch = (await fundedPacket(setup, { totalAmount: 100_000, count: 200 })).packetId;
  (setup.context.redis as Redis).disconnect();
  await set.synced();
  let rp = packetsOn(set.primary.url);
  await new Promise<void>((resolve) => clients[0]?.once('ready', () => resolve()));
  const queues = await sqs.freshQueues();
  const pipeline = startPipeline(sqs, queues, () => rp);
  const cleanup = async () => {
    await pipeline.stop();
    for (const c of clients) c.disconnect();
    await set.stop();
  };
  try {
    const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
    const rows = Array.from({ length: 150 }, (_, i) => ({ userId: `w${i}`, amount: 100 }));
    const claiming = pipeline.claim(claims, users, 4);
    const submitting = pipeline.submit(batch, rows);
    // Awaited by the test later; a failure before then must not count as unhandled.
    claiming.catch(() => undefined);
    submitting.catch(() => undefined);
    const deadline = Date.now() + 20_000;
    while (pipeline.acknowledged().size < 20 && Date.now() < deadline) await sleep(10);
    // A backlog for the consumers to commit during the cut (else they may have caught up with the door
    // and commit nothing then): paused until the queue holds at least 20 messages.
    await pipeline.pause();
    while ((await sqs.depth(queues.queues.queueUrl)) < 20 && Date.now() < deadline) await sleep(10);
    await set.cut(); // replication cut: the primary goes on alone
    pipeline.resume();
    // A WAIT the replica answered just before it froze may still be logged; one begun after cannot succeed
    // (it gives up after 100 ms). So what is acknowledged 150 ms into the cut was acknowledged before it.
    await sleep(150);
    const ackedBeforeCut = pipeline.acknowledged().size;
    // Longer than a lease (1 s): a group the pause left holding its packet's lock is taken over, and its
    // commit, like every other, waits for the frozen replica and is retried, before the failover.
    await sleep(1650);
    const ackedBeforeFailover = new Map(pipeline.acknowledged());
    await set.failover(); // the replica is the primary now, with a new replica of its own
    rp = packetsOn(set.primary.url);
    await pipeline.repoint();
    return {
      rp,
      pipeline,
      claims,
      batch,
      claiming,
      submitting,
      ackedBeforeCut,
      ackedBeforeFailover,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

describe('a primary and a replica, the primary lost while replication was cut', () => {
  it('with REDIS_MIN_REPLICAS=1 every payout whose message was deleted exists on the promoted replica; reconcile is clean', async () => {
    const run = await failoverMidRun(1);
    try {
      const [accepted] = await Promise.all([run.claiming, run.submitting]);
      await settled(run.rp, { [run.claims]: [...accepted] }, [run.batch], 60_000);
      const acked = run.pipeline.acknowledged();

      expect(run.ackedBeforeCut).toBeGreaterThan(0);
      for (const [key, amount] of acked) expect(await storedPayout(run.rp, key)).toBe(amount);
      // While the replica was frozen nothing was acknowledged: every commit waited for it and was retried.
      expect(run.ackedBeforeFailover.size).toBe(run.ackedBeforeCut);
      expect(run.pipeline.lines.some((l) => l.message === 'retry: not durable yet')).toBe(true);
      for (const packetId of [run.claims, run.batch]) {
        expect((await run.rp.reconcile(packetId)).discrepancies).toEqual([]);
      }
      expect((await run.rp.reconcile(run.batch)).paidCount).toBe(150);
    } finally {
      await run.cleanup();
    }
  }, 90_000);

  it('control: with REDIS_MIN_REPLICAS=0 the harness observes acknowledged payouts missing after the failover', async () => {
    const run = await failoverMidRun(0);
    try {
      const missing = [];
      for (const [key, amount] of run.ackedBeforeFailover) {
        if ((await storedPayout(run.rp, key)) !== amount) missing.push(key);
      }
      expect(run.ackedBeforeFailover.size).toBeGreaterThan(run.ackedBeforeCut); // acknowledged while cut …
      expect(missing.length).toBeGreaterThan(0); // … and lost with the primary
    } finally {
      await Promise.all([run.claiming, run.submitting].map((p) => p.catch(() => undefined)));
      await run.cleanup();
    }
  }, 90_000);
});
