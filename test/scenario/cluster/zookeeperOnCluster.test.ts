import { describe, expect, it } from 'vitest';
import { createZooKeeperLock } from '../../../lib/lock/zookeeper/index.ts';
import { createRedPackets, packetKeys } from '../../../lib/packets/index.ts';
import { recordClaims } from '../../harness/acceptedItems.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedisCluster } from '../../harness/redisClusterFixture.ts';
import { useZooKeeper } from '../../harness/zookeeperFixture.ts';

const redis = useRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
const zk = useZooKeeper();

describe('LOCK_BACKEND=zookeeper with the packets on a Redis Cluster', () => {
  it("fences every commit in the packet's own shard: 40 packets, claims paid under ZooKeeper leases, each reconciles", async () => {
    const client = redis.client();
    const lock = createZooKeeperLock(zk.session(), client);
    const rp = createRedPackets(client, { lock });
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push((await fundedPacket(rp, { totalAmount: 1000, count: 4 })).packetId);

    const outcomes = await Promise.all(
      ids.map(async (id) => {
        await recordClaims(rp, id, ['a', 'b', 'c']);
        return rp.processItems(
          id,
          ['a', 'b', 'c'].map((userId) => ({ kind: 'claim', userId })),
          { deadline: Date.now() + 10_000 },
        );
      }),
    );

    expect(outcomes.flat().map((o) => o.status)).toEqual(Array(120).fill('paid'));
    for (const id of ids) {
      expect((await rp.reconcile(id)).discrepancies).toEqual([]);
      const fence = Number(
        await client.get(`${packetKeys('rp:', id).packet.replace(':packet', ':zkfence')}`),
      );
      const [payout] = (await rp.listPayouts(id)).items;
      expect(payout?.fence).toBe(fence); // the high-water mark sits beside the packet, in its slot
    }
  }, 60_000);
});
