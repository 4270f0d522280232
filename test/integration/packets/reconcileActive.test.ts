import { describe, expect, it } from 'vitest';
import { activityIndexKey, forgetChecked, markActive, quietPackets } from '../../../lib/packets/activity.ts';
import { createRedPackets } from '../../../lib/packets/index.ts';
import { reconcileActive } from '../../../lib/packets/reconcileActive.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();

describe('reconcileActive (real Redis)', () => {
  it('checks at most `limit` packets per run, quietest first; the rest wait for the next run', async () => {
    const rp = createRedPackets(redis.client());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await fundedPacket(rp, { totalAmount: 100, count: 1 })).packetId);
    const index = activityIndexKey(rp.context.keyPrefix);
    // Quiet for 3, 2 and 1 minutes.
    for (const [i, id] of ids.entries())
      await rp.context.redis.zadd(index, Date.now() - (3 - i) * 60_000, id);

    const first = await reconcileActive(rp.context, { limit: 2 });
    const left = await rp.context.redis.zrange(index, 0, -1);
    const second = await reconcileActive(rp.context, { limit: 2 });

    expect(first).toEqual({ checked: 2, broken: [], backlog: 1 });
    expect(left).toEqual([ids[2]]);
    expect(second).toEqual({ checked: 1, broken: [], backlog: 0 });
  });

  it('a packet that saw activity while it was checked stays listed (checked again once quiet)', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 1 });
    await rp.context.redis.zadd(activityIndexKey(rp.context.keyPrefix), Date.now() - 120_000, packetId);
    const { packets } = await quietPackets(rp.context, { quietMs: 60_000, limit: 10 });
    const [read] = packets;

    await markActive(rp.context, [packetId]); // a consumer committed meanwhile
    const forgotten = await forgetChecked(rp.context, read ?? { packetId, at: 0 });

    expect(read?.packetId).toBe(packetId);
    expect(forgotten).toBe(false);
    expect(await rp.context.redis.zscore(activityIndexKey(rp.context.keyPrefix), packetId)).not.toBeNull();
    // The control: unchanged since the read, it is forgotten.
    const again = (await quietPackets(rp.context, { quietMs: 0, limit: 10 })).packets[0];
    expect(await forgetChecked(rp.context, again ?? { packetId, at: 0 })).toBe(true);
  });

  it('a packet past its retention (gone) is dropped from the list without counting as checked', async () => {
    const rp = createRedPackets(redis.client());
    await rp.context.redis.zadd(activityIndexKey(rp.context.keyPrefix), Date.now() - 120_000, 'pk_gone');

    expect(await reconcileActive(rp.context)).toEqual({ checked: 0, broken: [], backlog: 0 });
  });
});
