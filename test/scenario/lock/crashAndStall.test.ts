import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRedisLock, type LockStrategy } from '../../../lib/lock/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';
import { fencedSet } from '../../workers/testScripts.ts';

const redis = useRedis();

async function holder(options: object) {
  const worker = spawnWorker('lockWorker', { REDIS_URL: redis.url, LOCK_OPTIONS: JSON.stringify(options) });
  await worker.next('ready');
  return worker;
}

describe.each<LockStrategy>(['getset', 'set-nx-px'])(
  'a holder process that dies or stalls (%s)',
  (strategy) => {
    const TTL = 1000;
    const DRIFT = 100;
    const options = { strategy, ttlMs: TTL, driftMs: DRIFT };

    it.each(['acquisition', 'extension'])(
      'crash (SIGKILL) after its %s frees the lock within TTL ± drift (+250 ms)',
      async (last) => {
        // Prepare: a child takes the lock (and maybe extends it), then is killed without releasing.
        const child = await holder(options);
        child.send({ type: 'acquire', resource: 'p1' });
        let { sentAt } = await child.next<WorkerMessage & { sentAt: number }>('acquired');
        if (last === 'extension') {
          await sleep(300);
          child.send({ type: 'extend' });
          ({ sentAt } = await child.next<WorkerMessage & { sentAt: number }>('extended'));
        }
        child.signal('SIGKILL');
        await child.exited;

        // Act
        const lease = await createRedisLock(redis.client(), options).acquire('p1', { waitMs: 5000 });
        const recoveredAfter = Date.now() - sentAt;

        // Assess
        expect(recoveredAfter).toBeGreaterThanOrEqual(TTL - DRIFT);
        expect(recoveredAfter).toBeLessThanOrEqual(TTL + DRIFT + 250);
        expect(lease.fence).toBe(2);
      },
    );

    it('a holder stopped past its TTL cannot write or release after it resumes', async () => {
      // Prepare
      const child = await holder({ ...options, ttlMs: 500, driftMs: 50 });
      child.send({ type: 'acquire', resource: 'p1' });
      const { lease: stale } = await child.next<WorkerMessage & { lease: { fence: number } }>('acquired');
      child.signal('SIGSTOP');
      const lock = createRedisLock(redis.client(), { ...options, ttlMs: 5000, driftMs: 50 });
      const lease = await lock.acquire('p1', { waitMs: 3000 });
      await fencedSet.run(redis.client(), lock.guard(lease), ['rp:{p1}:owner'], ['new holder']);

      // Act
      child.signal('SIGCONT');
      child.send({ type: 'fencedWrite', key: 'rp:{p1}:owner', value: 'stale holder' });
      const write = await child.next('written');
      child.send({ type: 'release' });
      const release = await child.next('released');

      // Assess
      expect(lease.fence).toBe(stale.fence + 1);
      expect(lease.takeover).toBe(strategy === 'getset');
      expect(write).toMatchObject({ ok: false, error: 'LockLostError', reason: 'not-held' });
      expect(release).toMatchObject({ ok: false });
      expect(await redis.client().get('rp:{p1}:owner')).toBe('new holder');
      expect(await lock.release(lease)).toBe(true);
    });
  },
);

describe('clock drift margin (getset, local clocks)', () => {
  const TTL = 1000;
  const DRIFT = 200;

  async function contenderAt(skewMs: number) {
    const owner = await holder({ ttlMs: TTL, driftMs: DRIFT });
    owner.send({ type: 'acquire', resource: 'p1' });
    const { sentAt } = await owner.next<WorkerMessage & { sentAt: number }>('acquired');
    const contender = await holder({ ttlMs: TTL, driftMs: DRIFT, skewMs });
    // 50 ms before the holder's lease ends by the holder's own clock:
    await sleep(Math.max(0, sentAt + TTL - 50 - Date.now()));
    contender.send({ type: 'tryAcquire', resource: 'p1' });
    return (await contender.next<WorkerMessage & { lease: unknown }>('tried')).lease;
  }

  it('a contender whose clock runs ahead by less than driftMs does not steal a live lock', async () => {
    expect(await contenderAt(DRIFT - 50)).toBeNull();
  });

  it('control: a contender whose clock runs ahead by more than driftMs does steal it', async () => {
    expect(await contenderAt(DRIFT + 200)).not.toBeNull();
  });
});

describe('a crashed holder whose clock runs 2 s ahead (the LOCK_CLOCK default)', () => {
  const TTL = 1000;
  const DRIFT = 100;
  const SKEW = 2000;

  async function blockedAfterCrash(clock: 'local' | 'redis') {
    const child = await holder({ ttlMs: TTL, driftMs: DRIFT, clock, skewMs: SKEW });
    child.send({ type: 'acquire', resource: 'p1' });
    const { sentAt } = await child.next<WorkerMessage & { sentAt: number }>('acquired');
    child.signal('SIGKILL');
    await child.exited;
    await createRedisLock(redis.client(), { ttlMs: TTL, driftMs: DRIFT, clock }).acquire('p1', {
      waitMs: 6000,
    });
    return Date.now() - sentAt;
  }

  it("clock 'redis': its packet is free again within ttl + drift + 250 ms", async () => {
    const blockedMs = await blockedAfterCrash('redis');
    expect(blockedMs).toBeLessThanOrEqual(TTL + DRIFT + 250);
    console.info(`clock redis: a crashed holder 2 s ahead blocked its resource ${blockedMs} ms`);
  });

  it("control: clock 'local' stamps the holder's fast clock, and the packet stays blocked 2 s longer", async () => {
    const blockedMs = await blockedAfterCrash('local');
    expect(blockedMs).toBeGreaterThanOrEqual(TTL + SKEW - 50);
    console.info(`clock local: a crashed holder 2 s ahead blocked its resource ${blockedMs} ms`);
  });
});
