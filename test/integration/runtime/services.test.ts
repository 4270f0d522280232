import { afterAll, describe, expect, it } from 'vitest';
import { packetKeys } from '../../../lib/packets/index.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useZooKeeper } from '../../harness/zookeeperFixture.ts';

const redis = useRedis();
const zk = useZooKeeper();
const saved = { ...process.env };

afterAll(() => {
  process.env = saved;
});

describe('getServices with LOCK_BACKEND=zookeeper', () => {
  it('the pipeline commits under the ZooKeeper lock: its fence mark is written, no Redis lock key', async () => {
    // Prepare: the settings a deployment would have.
    Object.assign(process.env, {
      STAGE: 'test',
      REDIS_URL: redis.url,
      CLAIMS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/claims',
      LOCK_BACKEND: 'zookeeper',
      ZOOKEEPER_CONNECT: zk.connectString,
      ZOOKEEPER_SESSION_TIMEOUT_MS: '2000',
    });
    const { getServices } = await import('../../../lib/runtime/services.ts');
    const { packets, redis: client, config } = await getServices();
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3, mode: 'equal' });
    await packets.recordClaim(packetId, 'u1');

    // Act
    const outcomes = await packets.processItems(packetId, [{ kind: 'claim', userId: 'u1' }], {
      deadline: Date.now() + 10_000,
    });

    // Assess
    expect(config.LOCK_BACKEND).toBe('zookeeper');
    expect(outcomes).toMatchObject([{ status: 'paid', amount: 100 }]);
    const fence = Number(await client.get(`rp:{${packetId}}:zkfence`));
    expect(fence).toBeGreaterThan(0);
    expect(await client.exists(`rp:{${packetId}}:lock`)).toBe(0);
    const [payout] = (await packets.listPayouts(packetId)).items;
    expect(payout?.fence).toBe(fence);
    expect(await client.hget(packetKeys('rp:', packetId).packet, 'remaining')).toBe('200');
    client.disconnect();
  });
});
