import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ClusterNode } from '../../../infra/local/redisCluster.ts';
import { cutReplication } from '../../../infra/local/redisReplicaSet.ts';
import { createRedisLock } from '../../../lib/lock/index.ts';
import { createRedPackets, packetKeys, type RedPackets } from '../../../lib/packets/index.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { startPipeline } from '../../harness/pipelineDriver.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { useRedisCluster } from '../../harness/redisClusterFixture.ts';
import { settled, storedPayout } from '../../harness/settled.ts';

// 3 primaries, each with one replica; a primary unreachable for 1 s is replaced by its replica.
const redis = useRedisCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
const sqs = useQueue({ visibilityTimeoutSeconds: 1 });

const packets = (minReplicas = 0): RedPackets => {
  const client = redis.client();
  return createRedPackets(client, {
    lock: createRedisLock(client, { ttlMs: 1000 }),
    durability: { minReplicas, waitTimeoutMs: 200 },
  });
};
/** The slot of a packet's keys (they all share its hash tag), as the cluster computes it. */
const slotOf = async (rp: RedPackets, packetId: string) =>
  Number(
    await (rp.context.redis as { call(...a: unknown[]): Promise<unknown> }).call(
      'CLUSTER',
      'KEYSLOT',
      packetKeys('rp:', packetId).packet,
    ),
  );

describe('the pipeline on a Redis Cluster (3 primaries, 3 replicas)', () => {
  it('claims and a payout batch over 100 packets spread over every shard: every packet reconciles', async () => {
    const rp = packets(1);
    const ids = [];
    for (let i = 0; i < 100; i++)
      ids.push((await fundedPacket(rp, { totalAmount: 10_000, count: 8 })).packetId);
    const queues = await sqs.freshQueues();
    const pipeline = startPipeline(sqs, queues, () => rp);
    try {
      const users = ['a', 'b', 'c', 'd', 'e'];
      const rows = [1, 2, 3].map((n) => ({ userId: `w${n}`, amount: 100 * n }));
      const accepted = await Promise.all(ids.map((id) => pipeline.claim(id, users, 1)));
      await Promise.all(ids.map((id) => pipeline.submit(id, rows)));
      await settled(rp, Object.fromEntries(ids.map((id, i) => [id, [...(accepted[i] ?? [])]])), ids, 60_000);

      const shards = new Set<string>();
      for (const id of ids) shards.add((await redis.cluster.shardOf(await slotOf(rp, id))).primary.id);
      expect(shards.size).toBe(3); // the packets really are spread over the shards
      for (const id of ids) {
        const report = await rp.reconcile(id);
        expect({ id, discrepancies: report.discrepancies }).toEqual({ id, discrepancies: [] });
        expect(report.paidCount).toBe(8); // 5 claims and 3 rows, 8 shares
      }
    } finally {
      await pipeline.stop();
    }
  }, 120_000);

  it("the hot packet's slot migrated to another primary mid-run: nothing lost, nobody paid twice", async () => {
    const rp = packets(1);
    const { packetId } = await fundedPacket(rp, { totalAmount: 100_000, count: 150 });
    const slot = await slotOf(rp, packetId);
    const { primary: from } = await redis.cluster.shardOf(slot);
    const queues = await sqs.freshQueues();
    const pipeline = startPipeline(sqs, queues, () => rp);
    try {
      const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
      const claiming = pipeline.claim(packetId, users, 4);
      claiming.catch(() => undefined);
      while (pipeline.acknowledged().size < 20) await sleep(10);
      const primaryTarget = await primaryOtherThan(from);
      await redis.cluster.migrateSlot(slot, primaryTarget, { batch: 1, between: () => sleep(60) });
      const accepted = await claiming;
      await settled(rp, { [packetId]: [...accepted] }, [], 60_000);

      expect((await redis.cluster.shardOf(slot)).primary.id).toBe(primaryTarget.id);
      for (const [key, amount] of pipeline.acknowledged()) expect(await storedPayout(rp, key)).toBe(amount);
      const report = await rp.reconcile(packetId);
      expect(report.discrepancies).toEqual([]);
      expect(report.paidCount).toBe(150);
    } finally {
      await pipeline.stop();
    }
  }, 120_000);

  it('a primary killed while its replica lagged: with REDIS_MIN_REPLICAS=1 no acknowledged payout is lost', async () => {
    const run = await failover(1);
    try {
      const accepted = await run.claiming;
      await settled(run.rp, { [run.packetId]: [...accepted] }, [], 60_000);
      for (const [key, amount] of run.pipeline.acknowledged())
        expect(await storedPayout(run.rp, key)).toBe(amount);
      expect(run.ackedDuringCut).toBe(0); // commits on the lagging shard waited and were retried
      expect((await run.rp.reconcile(run.packetId)).discrepancies).toEqual([]);
    } finally {
      await run.pipeline.stop();
    }
  }, 120_000);

  it('control: the same failover with REDIS_MIN_REPLICAS=0 loses payouts the consumers acknowledged', async () => {
    const run = await failover(0);
    try {
      const lost = [];
      for (const [key, amount] of run.ackedBeforeFailover) {
        if ((await storedPayout(run.rp, key)) !== amount) lost.push(key);
      }
      expect(run.ackedDuringCut).toBeGreaterThan(0);
      expect(lost.length).toBeGreaterThan(0);
    } finally {
      await run.claiming.catch(() => undefined);
      await run.pipeline.stop();
    }
  }, 120_000);
});

/** A running primary that is not `node`. */
async function primaryOtherThan(node: ClusterNode): Promise<ClusterNode> {
  for (const slot of [0, 5500, 11000, 16383]) {
    const { primary } = await redis.cluster.shardOf(slot);
    if (primary.id !== node.id) return primary;
  }
  throw new Error('no other primary');
}

/**
 * Claims on one packet with the consumers running; replication to its shard's replica is cut, then the
 * primary is SIGKILLed and the replica woken: the cluster promotes it (it is behind by whatever was
 * written during the cut). The killed node is restarted from its files and rejoins as a replica.
 */
async function failover(minReplicas: number) {
  const rp = packets(minReplicas);
  const { packetId } = await fundedPacket(rp, { totalAmount: 1_000_000, count: 500 });
  const slot = await slotOf(rp, packetId);
  const { primary, replicas } = await redis.cluster.shardOf(slot);
  const replica = replicas[0] as ClusterNode;
  const queues = await sqs.freshQueues();
  const pipeline = startPipeline(sqs, queues, () => rp);
  // Paced clients (about 300 claims/s), so that claims keep arriving through the cut and the failover.
  const users = Array.from({ length: 600 }, (_, i) => `u${i}`);
  const claiming = pipeline.claim(packetId, users, 2, 5);
  claiming.catch(() => undefined);
  while (pipeline.acknowledged().size < 20) await sleep(10);
  await cutReplication(primary.server, replica.server);
  await sleep(250); // past any WAIT the replica answered before it froze
  const ackedAtCut = pipeline.acknowledged().size;
  await sleep(700);
  const ackedBeforeFailover = new Map(pipeline.acknowledged());
  await primary.server.kill('SIGKILL');
  replica.server.signal('SIGCONT');
  // The cluster fails the primary over to its replica (after cluster-node-timeout): wait for the promotion.
  const deadline = Date.now() + 30_000;
  while ((await redis.cluster.shardOf(slot).catch(() => undefined))?.primary.id !== replica.id) {
    if (Date.now() > deadline) throw new Error('the replica was not promoted within 30 s');
    await sleep(100);
  }
  await redis.cluster.healthy(30_000);
  await primary.server.restart(); // back from its own files, it rejoins as the new primary's replica
  await redis.cluster.healthy(30_000);
  return {
    rp,
    packetId,
    pipeline,
    claiming,
    ackedBeforeFailover,
    ackedDuringCut: ackedBeforeFailover.size - ackedAtCut,
  };
}
