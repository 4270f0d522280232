import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  LockLostError,
  LockOptionsError,
  LockTimeoutError,
  LockUnavailableError,
} from '../../../lib/lock/index.ts';
import {
  createZooKeeperLock,
  type ZooKeeperLockEvent,
  ZooKeeperSession,
} from '../../../lib/lock/zookeeper/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { useZooKeeper } from '../../harness/zookeeperFixture.ts';
import { fencedSet } from '../../workers/testScripts.ts';

const redis = useRedis();
const zk = useZooKeeper();

function lock(events: ZooKeeperLockEvent[] = []) {
  const session = zk.session({ sessionTimeoutMs: 2000 });
  return createZooKeeperLock(session, redis.client(), { onEvent: (e) => events.push(e) });
}

/** The lock znodes of `resource`, read through a session of this test. */
async function children(resource: string): Promise<string[]> {
  const { client } = await zk.session().current();
  return new Promise((resolve, reject) =>
    client.getChildren(`/locks/${resource}`, (error, names) => (error ? reject(error) : resolve(names))),
  );
}

describe('ZooKeeper lock', () => {
  it('acquire, tryAcquire, release: one holder, fences that grow, release only once', async () => {
    const a = lock();
    const b = lock();
    const first = await a.acquire('p1');
    expect(await b.tryAcquire('p1')).toBeNull();
    expect(await children('p1')).toHaveLength(1); // the failed try left no znode behind
    expect(await a.release(first)).toBe(true);
    expect(await a.release(first)).toBe(false);
    const second = await b.tryAcquire('p1');
    expect(second?.fence).toBeGreaterThan(first.fence);
    expect(second?.key).toBe('rp:{p1}:zkfence');
    expect(Number(await redis.client().get('rp:{p1}:zkfence'))).toBe(second?.fence);
  });

  it('acquireAndRead runs the reads after acquiring; commit with release frees the lock for the next', async () => {
    const a = lock();
    await redis.client().set('rp:{p2}:owner', 'nobody');
    const { lease, replies } = await a.acquireAndRead('p2', (pipeline) => pipeline.get('rp:{p2}:owner'));
    expect(replies).toEqual(['nobody']);
    const waiting = lock().acquire('p2', { waitMs: 5000 });
    expect(await a.commit(lease, fencedSet, ['rp:{p2}:owner'], ['a'], { release: true })).toBe(lease.fence);
    const next = await waiting;
    expect(next.fence).toBeGreaterThan(lease.fence);
    await expect(a.commit(lease, fencedSet, ['rp:{p2}:owner'], ['a again'])).rejects.toBeInstanceOf(
      LockLostError,
    );
    expect(await redis.client().get('rp:{p2}:owner')).toBe('a');
  });

  it('a waiter that times out or is aborted deletes its znode; waiting is bounded', async () => {
    const a = lock();
    const held = await a.acquire('p3');
    const b = lock();
    const started = performance.now();
    await expect(b.acquire('p3', { waitMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(performance.now() - started).toBeLessThan(2000);
    const controller = new AbortController();
    const aborted = b.acquire('p3', { signal: controller.signal });
    await sleep(100);
    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    expect(await children('p3')).toEqual([held.value.split('/').pop()]);
  });

  it('a predecessor that gives up wakes its successor, which goes on waiting behind the holder', async () => {
    const events: ZooKeeperLockEvent[] = [];
    const a = lock();
    const held = await a.acquire('p4');
    const quitter = lock().acquire('p4', { waitMs: 300 });
    await sleep(100);
    let acquired = false;
    const patient = lock(events)
      .acquire('p4', { waitMs: 10_000 })
      .then((lease) => {
        acquired = true;
        return lease;
      });
    await expect(quitter).rejects.toBeInstanceOf(LockTimeoutError);
    await sleep(300);
    expect(events.filter((e) => e.type === 'watch-fired')).toHaveLength(1);
    expect(acquired).toBe(false);
    await a.release(held);
    expect((await patient).fence).toBeGreaterThan(held.fence);
  });

  it('extend() checks the znode is still there; using() releases and passes a live signal', async () => {
    const a = lock();
    const lease = await a.acquire('p5');
    const extended = await a.extend(lease);
    expect(extended.fence).toBe(lease.fence);
    expect(extended.expiresAt).toBeGreaterThanOrEqual(lease.expiresAt);
    await a.release(extended);
    await expect(a.extend(lease)).rejects.toBeInstanceOf(LockLostError);
    const result = await a.using('p5', async (held, signal) => {
      expect(signal.aborted).toBe(false);
      return a.commit(held, fencedSet, ['rp:{p5}:owner'], ['using']);
    });
    expect(result).toBeGreaterThan(lease.fence);
    expect(await children('p5')).toEqual([]);
  });

  it('a znode deleted by someone else marks the lease lost and aborts the routine', async () => {
    const a = lock();
    const reason = await a.using('p6', async (lease, signal) => {
      const { client } = await zk.session().current();
      await new Promise<void>((resolve, reject) =>
        client.remove(lease.value, -1, (error) => (error ? reject(error) : resolve())),
      );
      // The watch notification may arrive before the reply to the delete.
      if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return signal.reason;
    });
    expect(reason).toBeInstanceOf(LockLostError);
    expect(reason).toMatchObject({ reason: 'not-held' });
  });

  it('a fenced script under a ZooKeeper guard cannot also release (the lock is not in Redis)', async () => {
    const a = lock();
    const lease = await a.acquire('p7');
    await expect(
      fencedSet.run(redis.client(), a.guard(lease), ['rp:{p7}:owner'], ['x'], { release: true }),
    ).rejects.toBeInstanceOf(LockOptionsError);
    expect(await redis.client().get('rp:{p7}:owner')).toBeNull();
  });

  it('creates a missing chroot; an unreachable server is LockUnavailableError within connectTimeoutMs', async () => {
    const a = lock();
    await a.release(await a.acquire('p8'));
    const probe = createClient(zk.server.connectString);
    probe.connect();
    const exists = await new Promise<boolean>((resolve, reject) =>
      probe.exists(new URL(`zk://${zk.connectString}`).pathname, (error, stat) =>
        error ? reject(error) : resolve(Boolean(stat)),
      ),
    );
    probe.close();
    expect(exists).toBe(true);

    const dead = new ZooKeeperSession('127.0.0.1:1/nowhere', { connectTimeoutMs: 500 });
    const started = performance.now();
    await expect(createZooKeeperLock(dead, redis.client()).acquire('p8')).rejects.toBeInstanceOf(
      LockUnavailableError,
    );
    expect(performance.now() - started).toBeLessThan(3000);
    await dead.close();
  });
});
