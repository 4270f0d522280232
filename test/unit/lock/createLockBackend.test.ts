import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLockBackend, LockOptionsError } from '../../../lib/lock/index.ts';

// A client that never connects: building a lock must not touch the network.
const redis = new Redis({ lazyConnect: true });

describe('createLockBackend', () => {
  it('builds each backend without connecting; the default is the timestamp + GETSET scheme', async () => {
    const byDefault = await createLockBackend(redis);
    expect(byDefault.backend).toBe('redis-getset');
    expect(byDefault.lock.constructor.name).toBe('RedisLock');
    expect((await createLockBackend(redis, { backend: 'redis-setnx' })).lock.constructor.name).toBe(
      'RedisLock',
    );
    const zk = await createLockBackend(redis, { backend: 'zookeeper', zookeeperConnect: '127.0.0.1:1/rp' });
    expect(zk.lock.constructor.name).toBe('ZooKeeperLock');
    await zk.close();
  });

  it.each([
    [{ backend: 'zookeeper' }, 'zookeeperConnect'],
    [{ backend: 'zookeeper', zookeeperConnect: 'no port' }, 'connectString'],
    [{ backend: 'etcd' }, 'backend'],
    [{ backend: 'zookeeper', zookeeperConnect: '127.0.0.1:2181', zookeeperLock: { root: 'locks' } }, 'root'],
    [
      { backend: 'zookeeper', zookeeperConnect: '127.0.0.1:2181', zookeeperSession: { sessionTimeoutMs: 5 } },
      'sessionTimeoutMs',
    ],
  ])('%j is a LockOptionsError naming %s', async (options, option) => {
    const error = await createLockBackend(redis, options as never).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LockOptionsError);
    expect(error).toMatchObject({ option });
  });
});
