import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  createRedisLock,
  type Lease,
  LockLostError,
  type LockStrategy,
  LockTimeoutError,
  LockValueError,
} from '../../../lib/lock/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { fencedSet } from '../../workers/testScripts.ts';

const redis = useRedis();
const strategies: LockStrategy[] = ['getset', 'set-nx-px'];

describe.each(strategies)('RedisLock (%s)', (strategy) => {
  const makeLock = (options = {}) => createRedisLock(redis.client(), { strategy, ...options });

  it('acquires a free lock with a fresh token and fence 1', async () => {
    // Prepare
    const lock = makeLock({ ttlMs: 1000 });
    const before = Date.now();

    // Act
    const lease = await lock.acquire('p1');

    // Assess
    expect(lease).toMatchObject({ resource: 'p1', key: 'rp:{p1}:lock', fence: 1, takeover: false });
    expect(lease.token).toMatch(/^[A-Za-z0-9_-]{22}$/); // 16 random bytes
    expect(lease.value).toBe(`${lease.expiresAt}:1:${lease.token}`);
    expect(lease.expiresAt).toBeGreaterThanOrEqual(before + 1000);
    expect(lease.expiresAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await redis.client().get(lease.key)).toBe(lease.value);
  });

  it('refuses a held lock, then grants it after release with a higher fence', async () => {
    const lock = makeLock();
    const first = await lock.acquire('p1');

    expect(await lock.tryAcquire('p1')).toBeNull();
    expect(await lock.release(first)).toBe(true);
    const second = await lock.tryAcquire('p1');

    expect(second?.fence).toBe(2);
    expect(second?.token).not.toBe(first.token);
    expect(await lock.release(first)).toBe(false); // the old lease is not ours any more
    expect(await redis.client().exists(first.key)).toBe(1);
  });

  it('hands an expired lock to the next contender', async () => {
    const lock = makeLock({ ttlMs: 50, driftMs: 10 });
    const dead = await lock.acquire('p1');

    await sleep(80);
    const next = await lock.acquire('p1', { waitMs: 1000 });

    expect(next.fence).toBe(dead.fence + 1);
    // getset sees the stale value and takes it over; with set-nx-px Redis already deleted the key.
    expect(next.takeover).toBe(strategy === 'getset');
    expect(await lock.release(dead)).toBe(false);
    expect(await lock.release(next)).toBe(true);
  });

  it('keeps separate resources independent', async () => {
    const lock = makeLock();
    const a = await lock.acquire('a');
    const b = await lock.acquire('b');
    expect([a.fence, b.fence]).toEqual([1, 1]);
  });

  it('refuses release and extend by a non-owner and leaves the holder in place', async () => {
    const lock = makeLock();
    const owner = await lock.acquire('p1');
    const impostor: Lease = { ...owner, token: 'AAAAAAAAAAAAAAAAAAAAAA' };

    expect(await lock.release(impostor)).toBe(false);
    await expect(lock.extend(impostor)).rejects.toBeInstanceOf(LockLostError);
    await expect(
      fencedSet.run(redis.client(), lock.guard(impostor), ['rp:{p1}:x'], ['stolen']),
    ).rejects.toMatchObject({ name: 'LockLostError', reason: 'not-held', resource: 'p1' });

    expect(await redis.client().get(owner.key)).toBe(owner.value);
    expect(await redis.client().get('rp:{p1}:x')).toBeNull();
  });

  it('extends a live lease, keeping token and fence', async () => {
    const lock = makeLock({ ttlMs: 200 });
    const lease = await lock.acquire('p1');

    const extended = await lock.extend(lease, 5000);

    expect(extended).toMatchObject({ token: lease.token, fence: lease.fence });
    expect(extended.expiresAt).toBeGreaterThan(lease.expiresAt + 4000);
    await sleep(300); // past the original ttl
    expect(await lock.tryAcquire('p1')).toBeNull();
    await fencedSet.run(redis.client(), lock.guard(lease), ['rp:{p1}:x'], ['ok']); // the old lease object still works
    expect(await lock.release(lease)).toBe(true);
  });

  it('refuses to extend or write with a lease that expired, even if nobody took it over', async () => {
    const lock = makeLock({ ttlMs: 30 });
    const lease = await lock.acquire('p1');
    await sleep(60);

    await expect(lock.extend(lease)).rejects.toBeInstanceOf(LockLostError);
    await expect(
      fencedSet.run(redis.client(), lock.guard(lease), ['rp:{p1}:x'], ['late']),
    ).rejects.toBeInstanceOf(LockLostError);
    expect(await redis.client().get('rp:{p1}:x')).toBeNull();
  });

  it('gives up at the deadline with LockTimeoutError', async () => {
    const lock = makeLock({ ttlMs: 10_000 });
    await lock.acquire('p1');
    const started = performance.now();

    const error = await lock.acquire('p1', { waitMs: 200 }).catch((e: unknown) => e);

    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ resource: 'p1', retryable: true });
    expect(waited).toBeGreaterThanOrEqual(195);
    expect(waited).toBeLessThan(400);
  });

  it('stops waiting when the signal aborts', async () => {
    const lock = makeLock({ ttlMs: 10_000 });
    await lock.acquire('p1');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);

    const error = await lock
      .acquire('p1', { waitMs: 5000, signal: controller.signal })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toMatchObject({ message: 'shutting down' });
  });

  it('wakes a waiter as soon as the holder releases', async () => {
    const lock = makeLock({ ttlMs: 10_000, maxDelayMs: 16 });
    const holder = await lock.acquire('p1');
    const waiting = lock.acquire('p1', { waitMs: 2000 });

    await sleep(100);
    await lock.release(holder);
    const released = performance.now();
    const lease = await waiting;

    expect(lease.fence).toBe(2);
    expect(performance.now() - released).toBeLessThan(100);
  });

  it('refuses to judge (or delete) a lock key this library did not write', async () => {
    await redis.client().set('rp:{p1}:lock', 'not-a-lock-value'); // no expiry, unknown format
    await expect(makeLock().tryAcquire('p1')).rejects.toBeInstanceOf(LockValueError);
    expect(await redis.client().get('rp:{p1}:lock')).toBe('not-a-lock-value');
  });

  it('reads the clock from Redis TIME when clock is redis, ignoring a wrong local clock', async () => {
    const wrongClock = () => Date.now() + 3_600_000;
    const lock = makeLock({ clock: 'redis', ttlMs: 1000, now: wrongClock });
    const [seconds] = await redis.client().time();

    const lease = await lock.acquire('p1');

    expect(Math.abs(lease.expiresAt - (Number(seconds) * 1000 + 1000))).toBeLessThan(1500);
    // A contender with a clock one hour ahead but clock: 'redis' does not steal it.
    expect(await makeLock({ clock: 'redis', now: wrongClock }).tryAcquire('p1')).toBeNull();
    await fencedSet.run(redis.client(), lock.guard(lease), ['rp:{p1}:x'], ['ok']);
  });

  it('acquireAndRead returns replies of reads sent in the same round trip as the winning attempt', async () => {
    const client = redis.client();
    await client.set('rp:{p1}:state', 'before');
    const lock = createRedisLock(client, { strategy, ttlMs: 1000 });
    const holder = await lock.acquire('p1');
    const waiting = lock.acquireAndRead('p1', (p) => p.get('rp:{p1}:state'), { waitMs: 2000 });

    // The holder changes the state, then releases: the waiter must see the state as of its own win.
    await lock.commit(holder, fencedSet, ['rp:{p1}:state'], ['after'], { release: true });
    const { lease, replies } = await waiting;

    expect(lease.fence).toBe(holder.fence + 1);
    expect(replies).toEqual(['after']);
  });

  it('commit with release: writes, frees the lock in the same script and wakes a waiter in this process', async () => {
    const lock = makeLock({ ttlMs: 10_000, maxDelayMs: 1000, minDelayMs: 1000 });
    const lease = await lock.acquire('p1');
    const waiting = lock.acquire('p1', { waitMs: 5000 });
    await sleep(50); // the waiter is now napping behind a holder of this process

    const fence = await lock.commit(lease, fencedSet, ['rp:{p1}:x'], ['paid'], { release: true });
    const releasedAt = performance.now();
    const next = await waiting;

    expect(fence).toBe(lease.fence);
    expect(await redis.client().get('rp:{p1}:x')).toBe('paid');
    expect(next.fence).toBe(lease.fence + 1);
    expect(performance.now() - releasedAt).toBeLessThan(100); // not after a 1 s backoff
    await expect(
      lock.commit(lease, fencedSet, ['rp:{p1}:x'], ['again'], { release: true }),
    ).rejects.toBeInstanceOf(LockLostError);
    expect(await redis.client().get(next.key)).toBe(next.value); // the refused commit did not release next
  });

  it('serves waiters of one process first come, first served', async () => {
    const lock = makeLock({ ttlMs: 10_000 });
    const first = await lock.acquire('p1');
    const order: number[] = [];
    const waiters = [1, 2, 3, 4, 5].map(async (n) => {
      await sleep(n * 5);
      const lease = await lock.acquire('p1', { waitMs: 5000 });
      order.push(n);
      await lock.release(lease);
    });
    await sleep(60);
    await lock.release(first);
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('a queued waiter times out and aborts on its own deadline and signal', async () => {
    const lock = makeLock({ ttlMs: 10_000 });
    await lock.acquire('p1');
    const head = lock.acquire('p1', { waitMs: 1000 });
    const controller = new AbortController();
    const queuedTimeout = lock.acquire('p1', { waitMs: 100 }).catch((e: unknown) => e);
    const queuedAbort = lock
      .acquire('p1', { waitMs: 5000, signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort();

    expect(await queuedAbort).toBeInstanceOf(AbortError);
    expect(await queuedTimeout).toBeInstanceOf(LockTimeoutError);
    expect(await head.catch((e: unknown) => e)).toBeInstanceOf(LockTimeoutError);
  });

  describe('using()', () => {
    it('holds the lock across a routine longer than the ttl and releases it after', async () => {
      const lock = makeLock({ ttlMs: 150 });
      let seenAborted = true;

      const result = await lock.using('p1', async (lease, signal) => {
        await sleep(500); // more than three ttls: only extensions keep the lease alive
        expect(await makeLock().tryAcquire('p1')).toBeNull();
        await fencedSet.run(redis.client(), lock.guard(lease), ['rp:{p1}:x'], ['done']);
        seenAborted = signal.aborted;
        return 'result';
      });

      expect(result).toBe('result');
      expect(seenAborted).toBe(false);
      expect(await redis.client().get('rp:{p1}:x')).toBe('done');
      expect(await redis.client().exists('rp:{p1}:lock')).toBe(0);
    });

    it('aborts the signal with LockLostError when the lease is taken away', async () => {
      const lock = makeLock({ ttlMs: 200 });

      const reason = await lock.using(
        'p1',
        async (_lease, signal) => {
          await redis.client().del('rp:{p1}:lock'); // an operator (or a bug elsewhere) frees the lock
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          return signal.reason;
        },
        { extendEveryMs: 20 },
      );

      expect(reason).toBeInstanceOf(LockLostError);
    });

    it('releases the lock when the routine throws', async () => {
      const lock = makeLock();
      await expect(
        lock.using('p1', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await lock.tryAcquire('p1')).not.toBeNull();
    });
  });
});
