import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRedisLock, LockLostError, LockTimeoutError } from '../../../lib/lock/index.ts';
import { createZooKeeperLock } from '../../../lib/lock/zookeeper/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type Worker, type WorkerMessage } from '../../harness/spawnWorker.ts';
import { useZooKeeper } from '../../harness/zookeeperFixture.ts';
import { fencedSet } from '../../workers/testScripts.ts';

const redis = useRedis();
const zk = useZooKeeper();
const SESSION_MS = 2000;
const TICK_MS = 200; // the fixture server's tick: expiry is checked once per tick

type Acquired = WorkerMessage & { id: string; fence: number; at: number };

/** A lock in the test process itself, on its own session. */
function localLock() {
  return createZooKeeperLock(zk.session({ sessionTimeoutMs: SESSION_MS }), redis.client());
}

async function workers(n: number, env: Record<string, string> = {}): Promise<Worker[]> {
  const all = Array.from({ length: n }, () =>
    spawnWorker('zkLockWorker', {
      REDIS_URL: redis.url,
      ZOOKEEPER_CONNECT: zk.connectString,
      ZOOKEEPER_SESSION_TIMEOUT_MS: String(SESSION_MS),
      ...env,
    }),
  );
  await Promise.all(all.map((w) => w.next('ready')));
  return all;
}

async function watchCount(all: Worker[]): Promise<number> {
  for (const w of all) w.send({ type: 'stats' });
  const stats = await Promise.all(all.map((w) => w.next<WorkerMessage & { watches: number }>('stats')));
  return stats.reduce((n, s) => n + s.watches, 0);
}

describe('ZooKeeper lock: mutual exclusion and order across processes', () => {
  const PROCESSES = 4;
  const TOTAL = PROCESSES * 4 * 25;

  async function race(mode: string) {
    const all = Array.from({ length: PROCESSES }, () =>
      spawnWorker('counterWorker', {
        REDIS_URL: redis.url,
        MODE: mode,
        LOOPS: '4',
        INCREMENTS: '25',
        LOCK_BACKEND: 'zookeeper',
        ZOOKEEPER_CONNECT: zk.connectString,
      }),
    );
    await Promise.all(all.map((w) => w.next('ready')));
    for (const w of all) w.send({ type: 'go' });
    const done = await Promise.all(
      all.map((w) => w.next<WorkerMessage & { applied: number }>('done', 60_000)),
    );
    return {
      applied: done.reduce((n, d) => n + d.applied, 0),
      counter: Number(await redis.client().get('rp:{counter}:value')),
    };
  }

  it(`${PROCESSES} processes × 4 loops × 25 GET/compute/SET under using(): exactly ${TOTAL}`, async () => {
    const result = await race('locked');
    expect(result).toEqual({ applied: TOTAL, counter: TOTAL });
  });

  it('control: the same read-modify-write without the lock loses updates', async () => {
    const result = await race('unlocked');
    expect(result.applied).toBe(TOTAL);
    expect(result.counter).toBeLessThan(TOTAL);
  });

  /** 12 waiters queue one after another over 4 processes, behind a holder; returns who got the lock when. */
  async function order(
    backend: 'zookeeper' | 'redis-getset',
    command: 'enqueue' | 'pollEnqueue' = 'enqueue',
  ) {
    const all = await workers(4, { LOCK_BACKEND: backend });
    const holder = backend === 'zookeeper' ? localLock() : createRedisLock(redis.client());
    const lease = await holder.acquire('fifo');
    const queued: string[] = [];
    for (let i = 0; i < 12; i++) {
      const w = all[i % all.length] as Worker;
      const id = `w${i % all.length}-${i}`;
      w.send({ type: command, id, resource: 'fifo', key: 'rp:{fifo}:order' });
      await w.next('queued');
      if (backend !== 'zookeeper') await sleep(20); // a Redis waiter queues on its first attempt: space them
      queued.push(id);
    }
    await holder.release(lease);
    for (const w of all) for (let i = 0; i < 3; i++) await w.next('enqueued');
    return { queued, order: await redis.client().lrange('rp:{fifo}:order', 0, -1) };
  }

  it('FIFO: 12 waiters from 4 processes get the lock in the order they queued', async () => {
    const { queued, order: acquired } = await order('zookeeper');
    expect(acquired).toEqual(queued);
  });

  it('the Redis lock, with the same arrivals, hands the lock over in arrival order too (its wait list)', async () => {
    const { queued, order: acquired } = await order('redis-getset');
    expect(acquired).toEqual(queued);
  });

  it('control: Redis waiters that poll with single tries (not in line) do not get it in arrival order', async () => {
    const { queued, order: acquired } = await order('redis-getset', 'pollEnqueue');
    expect([...acquired].sort()).toEqual([...queued].sort());
    expect(acquired).not.toEqual(queued);
  });
});

describe('ZooKeeper lock: no herd', () => {
  const WAITERS = 50;

  /** 50 waiters over 5 processes behind a holder in this process; `hold` or the naive recipe. */
  async function queueUp(command: 'hold' | 'naiveHold') {
    const all = await workers(5);
    const holder = localLock();
    const lease = await holder.acquire('herd');
    for (let i = 0; i < WAITERS; i++) {
      const w = all[i % all.length] as Worker;
      w.send({ type: command, id: String(i), resource: 'herd' });
      await w.next('queued');
    }
    await sleep(300); // the naive waiters' watches fire on each arrival: let them settle
    return { all, holder, lease, before: await watchCount(all) };
  }

  it('with 50 waiters, each release fires exactly one watch and wakes the next in line', async () => {
    const { all, holder, lease, before } = await queueUp('hold');
    expect(before).toBe(0);
    await holder.release(lease);
    const woken: string[] = [];
    for (let round = 0; round < 3; round++) {
      const w = all[round % all.length] as Worker;
      const got = await w.next<Acquired>('acquired');
      await sleep(300); // time for any other watch to fire
      woken.push(got.id);
      expect(await watchCount(all)).toBe(round + 1);
      w.send({ type: 'release', id: got.id });
      await w.next('released');
    }
    expect(woken).toEqual(['0', '1', '2']);
  });

  it('control: waiters that watch the children list instead all wake on one release (the herd)', async () => {
    const { all, holder, lease, before } = await queueUp('naiveHold');
    await holder.release(lease);
    await (all[0] as Worker).next<Acquired>('acquired');
    await sleep(300);
    expect((await watchCount(all)) - before).toBeGreaterThanOrEqual(WAITERS);
  });
});

describe('ZooKeeper lock: a holder that dies or stalls', () => {
  it('SIGKILLed holder: the next waiter acquires once the session times out, not before', async () => {
    // Prepare: a child holds the lock; this process waits behind it.
    const [child] = (await workers(1)) as [Worker];
    child.send({ type: 'hold', id: 'a', resource: 'crash' });
    const held = await child.next<Acquired>('acquired');
    const lock = localLock();
    const waiting = lock.acquire('crash', { waitMs: 10_000 });
    // The child's last word to the server: an extension (an exists call), right before the kill.
    child.send({ type: 'extend', id: 'a' });
    await child.next('extended');
    const killedAt = Date.now();
    child.signal('SIGKILL');

    // Act
    const lease = await waiting;
    const recoveredAfter = Date.now() - killedAt;

    // Assess: the server expires a session `timeout` after it last heard from it, at the next tick.
    expect(recoveredAfter).toBeGreaterThanOrEqual(SESSION_MS - 150);
    expect(recoveredAfter).toBeLessThanOrEqual(SESSION_MS + TICK_MS + 800);
    expect(lease.fence).toBeGreaterThan(held.fence);
  });

  it('control: a lock znode that is not ephemeral outlives its SIGKILLed holder (the waiter times out)', async () => {
    const [child] = (await workers(1)) as [Worker];
    child.send({ type: 'persistentHold', id: 'a', resource: 'crash' });
    await child.next('acquired');
    child.signal('SIGKILL');
    await child.exited;
    const lock = localLock();
    await expect(lock.acquire('crash', { waitMs: 2 * SESSION_MS })).rejects.toBeInstanceOf(LockTimeoutError);
  });

  it('a holder stopped until its session expired cannot write or release after it resumes', async () => {
    // Prepare
    const [child] = (await workers(1)) as [Worker];
    child.send({ type: 'hold', id: 'a', resource: 'stale' });
    const stale = await child.next<Acquired>('acquired');
    child.signal('SIGSTOP');
    const lock = localLock();
    const lease = await lock.acquire('stale', { waitMs: 10_000 });
    await lock.commit(lease, fencedSet, ['rp:{stale}:owner'], ['new holder']);

    // Act: the stale holder runs its fenced script itself, so only the Redis-side fence can refuse it.
    child.signal('SIGCONT');
    child.send({ type: 'fencedWrite', id: 'a', key: 'rp:{stale}:owner', value: 'stale holder' });
    const write = await child.next('written');
    child.send({ type: 'release', id: 'a' });
    const release = await child.next('released');

    // Assess
    expect(lease.fence).toBeGreaterThan(stale.fence);
    expect(write).toMatchObject({ ok: false, error: 'LockLostError', reason: 'not-held' });
    expect(release).toMatchObject({ ok: false });
    expect(await redis.client().get('rp:{stale}:owner')).toBe('new holder');
    expect(await lock.release(lease)).toBe(true);
  });

  it("a server that stops answering for longer than the session timeout aborts using()'s signal", async () => {
    const lock = localLock();
    let reason: unknown;
    const outcome = lock.using('silent', async (lease, signal) => {
      zk.server.pause();
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        setTimeout(resolve, 4 * SESSION_MS);
      });
      reason = signal.reason;
      // Whatever the routine tries next is refused.
      return lock.commit(lease, fencedSet, ['rp:{silent}:owner'], ['after the loss']).then(
        () => 'committed',
        (error: unknown) => (error instanceof LockLostError ? 'refused' : String(error)),
      );
    });
    const result = await outcome;
    zk.server.resume();
    expect(reason).toBeInstanceOf(LockLostError);
    expect(reason).toMatchObject({ reason: 'session' });
    expect(result).toBe('refused');
    expect(await redis.client().get('rp:{silent}:owner')).toBeNull();
  });
});
