import { describe, expect, it } from 'vitest';
import { createRedisLock, isRetryableError, type LockStrategy } from '../../../lib/lock/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { fencedSet } from '../../workers/testScripts.ts';

// This file is about a Redis that loses its data on a crash (no persistence); the AOF case is below.
const redis = useRedis({ persistence: 'none' });
const durable = useRedis({ persistence: 'aof' });

describe.each<LockStrategy>(['getset', 'set-nx-px'])('Redis killed and restarted (%s)', (strategy) => {
  it('fails fast with a retryable error while Redis is down, and works again after a restart', async () => {
    // Prepare: a client that does not queue commands while disconnected.
    const client = redis.client({ maxRetriesPerRequest: 0, enableOfflineQueue: false });
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    const lock = createRedisLock(client, { strategy });
    const lease = await lock.acquire('p1');
    await lock.commit(lease, fencedSet, ['rp:{p1}:x'], ['before']);

    // Act: the server dies with the lock held (no persistence: everything is gone).
    await redis.server.kill('SIGKILL');
    const whileDown = await lock.acquire('p2', { waitMs: 1000 }).catch((e: unknown) => e);
    const commitWhileDown = await lock
      .commit(lease, fencedSet, ['rp:{p1}:x'], ['during'])
      .catch((e: unknown) => e);
    await redis.server.restart();
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));

    // Assess
    expect(isRetryableError(whileDown)).toBe(true);
    expect(isRetryableError(commitWhileDown)).toBe(true);
    // The restarted server knows no scripts (NOSCRIPT → EVAL fallback) and no lock: the old lease is refused.
    await expect(lock.commit(lease, fencedSet, ['rp:{p1}:x'], ['stale'])).rejects.toMatchObject({
      name: 'LockLostError',
    });
    const next = await lock.acquire('p1', { waitMs: 1000 });
    expect(next.fence).toBe(1); // the counter was lost with the data: fences restart (see README)
    await lock.commit(next, fencedSet, ['rp:{p1}:x'], ['after'], { release: true });
    expect(await client.get('rp:{p1}:x')).toBe('after');
  });
});

describe('Redis with AOF killed and restarted', () => {
  it('keeps the fence counter and the lock: the holder can still commit, and fences keep growing', async () => {
    const client = durable.client({ maxRetriesPerRequest: 0, enableOfflineQueue: false });
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    const lock = createRedisLock(client, { ttlMs: 10_000 });
    const lease = await lock.acquire('p1');
    await lock.commit(lease, fencedSet, ['rp:{p1}:x'], ['before'], { release: true });
    const second = await lock.acquire('p1');

    await durable.server.kill('SIGKILL');
    await durable.server.restart();
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));

    await lock.commit(second, fencedSet, ['rp:{p1}:x'], ['after'], { release: true });
    const third = await lock.acquire('p1', { waitMs: 1000 });
    expect(await client.get('rp:{p1}:x')).toBe('after');
    expect([lease.fence, second.fence, third.fence]).toEqual([1, 2, 3]);
  });
});
