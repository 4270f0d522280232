import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { acquireGetset } from '../../../lib/lock/acquireGetset.ts';
import { acquireSetNxPx } from '../../../lib/lock/acquireSetNxPx.ts';
import type { Script } from '../../../lib/lock/createScript.ts';
import { createRedisLock, type LockStrategy } from '../../../lib/lock/index.ts';
import { releaseLease } from '../../../lib/lock/releaseLease.ts';
import { loadConfig } from '../../../lib/runtime/config.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';
import { startTcpProxy, type TcpProxy } from '../../harness/tcpProxy.ts';

const redis = useRedis();

/** A proxy in front of the test's Redis and a client through it, both closed after `body`. */
async function throughProxy<T>(body: (proxy: TcpProxy, client: Redis) => Promise<T>): Promise<T> {
  const proxy = await startTcpProxy(redis.url);
  const client = new Redis(proxy.url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {}); // the proxy cuts connections on purpose
  try {
    return await body(proxy, client);
  } finally {
    client.disconnect();
    await proxy.close();
  }
}

/** Polls `tryAcquire` until it succeeds; resolves with when (Date.now()), or rejects after `withinMs`. */
async function freeAt(resource: string, withinMs: number): Promise<number> {
  const lock = createRedisLock(redis.client());
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const lease = await lock.tryAcquire(resource);
    if (lease) return Date.now();
    await sleep(20);
  }
  throw new Error(`${resource} still locked after ${withinMs} ms`);
}

describe('the lock through a connection blip', () => {
  it('using() stops extending once the routine has returned, even when its release fails', async () => {
    await throughProxy(async (proxy, client) => {
      // Prepare: replies take 100 ms, so the extension sent at 200 ms is still in flight when the routine
      // returns at ~250 ms; the release after it fails once.
      const lock = createRedisLock(client, { ttlMs: 600, driftMs: 0 });
      await lock.using('warm-up', async (lease) => void (await lock.extend(lease))); // scripts cached
      proxy.latencyMs = 100;
      let returnedAt = 0;

      // Act
      await lock.using(
        'p1',
        async () => {
          await sleep(250);
          proxy.failNext(releaseLease.sha1);
          returnedAt = Date.now();
        },
        { extendEveryMs: 200 },
      );
      const stillHeld = await createRedisLock(redis.client()).tryAcquire('p1');
      const freedAfter = (await freeAt('p1', 3000)) - returnedAt;

      // Assess: the release really failed (the lock outlived using()), and then the lease ran out on its
      // own instead of being extended for as long as the process lives.
      expect(proxy.failed).toBe(1);
      expect(stillHeld).toBeNull();
      expect(freedAfter).toBeLessThanOrEqual(600 + 100 + 400);
    });
  });

  it.each<[LockStrategy, Script<unknown>]>([
    ['getset', acquireGetset],
    ['set-nx-px', acquireSetNxPx],
  ])(
    '%s: an acquisition whose reply was lost returns the lease it won, fence unchanged',
    async (strategy, script) => {
      await throughProxy(async (proxy, client) => {
        // Prepare: the script is cached (a warm server); the server runs the acquisition, its reply never
        // comes back, and the client sends it again.
        const direct = redis.client();
        await direct.script('LOAD', script.lua);
        const lock = createRedisLock(client, { strategy, ttlMs: 5000 });
        proxy.dropReplyTo(script.sha1);
        const started = Date.now();

        // Act
        const lease = await lock.acquire('p2', { waitMs: 3000 });
        const tookMs = Date.now() - started;

        // Assess
        expect(proxy.dropped).toBe(1);
        expect(tookMs).toBeLessThan(1000);
        expect(lease.fence).toBe(1);
        expect(await direct.get('rp:{p2}:fence')).toBe('1');
        expect(await direct.get('rp:{p2}:lock')).toContain(lease.token);
        expect(await lock.release(lease)).toBe(true);
      });
    },
  );
});

describe('waiters of a crashed holder, with the deployed defaults', () => {
  const defaults = loadConfig({ STAGE: 'test', REDIS_URL: 'redis://x:1', CLAIMS_QUEUE_URL: 'http://x/1/q' });
  const takeoverMs = defaults.LOCK_TTL_MS + defaults.LOCK_DRIFT_MS;

  async function crashWithWaiters(waitMs?: (holderSentAt: number) => number) {
    const holder = spawnWorker('configLockWorker', { REDIS_URL: redis.url });
    const processes = Array.from({ length: 4 }, () =>
      spawnWorker('configLockWorker', { REDIS_URL: redis.url }),
    );
    await Promise.all([holder, ...processes].map((w) => w.next('ready')));
    holder.send({ type: 'hold', resource: 'hot' });
    const { sentAt } = await holder.next<WorkerMessage & { sentAt: number }>('holding');
    for (const w of processes) {
      w.send({ type: 'wait', resource: 'hot', waiters: 2, ...(waitMs ? { waitMs: waitMs(sentAt) } : {}) });
    }
    await sleep(500);
    holder.signal('SIGKILL');
    await holder.exited;
    const replies = await Promise.all(
      processes.map((w) =>
        w.next<WorkerMessage & { outcomes: Array<Record<string, number | string>> }>('waited'),
      ),
    );
    return { sentAt, outcomes: replies.flatMap((r) => r.outcomes) };
  }

  it('8 waiters in 4 processes: the first takes over within ttl + drift + 250 ms, none gives up', async () => {
    // Act
    const { sentAt, outcomes } = await crashWithWaiters();

    // Assess
    expect(outcomes.filter((o) => 'error' in o)).toEqual([]);
    const times = outcomes.map((o) => Number(o.acquiredAt) - sentAt).sort((a, b) => a - b);
    expect(times[0]).toBeGreaterThanOrEqual(takeoverMs - 50);
    expect(times[0]).toBeLessThanOrEqual(takeoverMs + 250);
    expect(outcomes.map((o) => o.fence).sort((a, b) => Number(a) - Number(b))).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    console.info(`liveness: takeover after ${times[0]} ms, all 8 held it by ${times.at(-1)} ms`);
  }, 30_000);

  it('control: waits that end at the holder expiry (the old 5 s default, waiting at once) all give up', async () => {
    // Act: every waiter's deadline is the crashed holder's expiry, before the takeover is possible.
    const { outcomes } = await crashWithWaiters((sentAt) => sentAt + defaults.LOCK_TTL_MS - Date.now());

    // Assess
    expect(outcomes.map((o) => o.error)).toEqual(Array(8).fill('LockTimeoutError'));
  }, 30_000);
});

describe('wake-ups between processes', () => {
  it('a waiter that only ever waited behind its own process holder is woken by a release elsewhere', async () => {
    // Prepare: instance A holds; B waits in the Redis line; A's second caller waits behind A's own holder
    // (it never asks Redis, so nothing but that wait makes it subscribe). A releases: B goes first.
    const lockA = createRedisLock(redis.client());
    const lockB = createRedisLock(redis.client());
    const first = await lockA.acquire('h');
    const forB = lockB.acquire('h', { waitMs: 5000 });
    await until(async () => (await redis.client().llen('rp:{h}:lock-queue')) === 1);
    const forA = lockA.acquire('h', { waitMs: 5000 });
    await sleep(50);
    await lockA.release(first);
    const heldByB = await forB;
    await sleep(20);

    // Act: B releases; A's waiter is next in line.
    const releasedAt = performance.now();
    await lockB.release(heldByB);
    const heldByA = await forA;
    const handOverMs = performance.now() - releasedAt;

    // Assess: woken by the release, not by its own 250 ms fallback.
    expect(heldByA.fence).toBe(3);
    expect(handOverMs).toBeLessThan(150);
  });
});

describe('a waiter that crashes at the head of the line', () => {
  it('holds a released lock back no longer than its registration (1 s), then the next waiter gets it', async () => {
    // Prepare: the lock is held; a waiter in another process joins the line first, one here second.
    const line = 'rp:{q}:lock-queue';
    const direct = redis.client();
    const holderLock = createRedisLock(redis.client());
    const held = await holderLock.acquire('q');
    const crashing = spawnWorker('lockWorker', { REDIS_URL: redis.url, LOCK_OPTIONS: '{}' });
    await crashing.next('ready');
    crashing.send({ type: 'acquire', resource: 'q', waitMs: 20_000 });
    await until(async () => (await direct.llen(line)) === 1);
    const second = createRedisLock(redis.client()).acquire('q', { waitMs: 10_000 });
    await until(async () => (await direct.llen(line)) === 2);

    // Act: the head dies, then the holder releases (waking the dead head, which never answers).
    crashing.signal('SIGKILL');
    await crashing.exited;
    const killedAt = Date.now();
    expect(await holderLock.release(held)).toBe(true);
    const lease = await second;
    const waitedMs = Date.now() - killedAt;

    // Assess: it waited for the dead head's registration to lapse (it renews it at least every 250 ms),
    // and not much longer.
    expect(lease.fence).toBe(2);
    expect(waitedMs).toBeGreaterThanOrEqual(500);
    expect(waitedMs).toBeLessThanOrEqual(1000 + 300);
    expect(await direct.llen(line)).toBe(0);
  });
});

/** Polls `check` every 10 ms until it holds (rejects after 5 s). */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await sleep(10);
  }
}
