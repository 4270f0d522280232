/**
 * A process that holds locks on the test's command: the crash, stall, clock and takeover-race tests drive
 * it over IPC. Env: REDIS_URL, LOCK_OPTIONS (JSON of RedisLockOptions, plus `skewMs` to run the clock ahead).
 */
import { Redis } from 'ioredis';
import { createRedisLock, type Lease, LockLostError } from '../../lib/lock/index.ts';
import { type CommandHandlers, serveCommands } from '../harness/workerRuntime.ts';
import { naiveRelease, naiveTryAcquire } from './naiveGetset.ts';
import { fencedSet } from './testScripts.ts';

const { skewMs = 0, ...options } = JSON.parse(process.env.LOCK_OPTIONS ?? '{}') as Record<string, unknown> & {
  skewMs?: number;
};
const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
const lock = createRedisLock(redis, { ...options, now: () => Date.now() + skewMs });
let lease: Lease | null = null;
let naive: Awaited<ReturnType<typeof naiveTryAcquire>> | null = null;

const handlers: CommandHandlers = {
  async acquire(m) {
    const sentAt = Date.now();
    lease = await lock.acquire(String(m.resource), { waitMs: Number(m.waitMs ?? 10_000) });
    return { type: 'acquired', sentAt, lease: { ...lease } };
  },
  async tryAcquire(m) {
    lease = await lock.tryAcquire(String(m.resource));
    return { type: 'tried', lease: lease ? { ...lease } : null };
  },
  async fencedWrite(m) {
    if (!lease) throw new Error('fencedWrite before acquire');
    try {
      await fencedSet.run(redis, lock.guard(lease), [String(m.key)], [String(m.value)]);
      return { type: 'written', ok: true };
    } catch (error) {
      if (!(error instanceof LockLostError)) throw error;
      return { type: 'written', ok: false, error: error.name, reason: error.reason };
    }
  },
  async extend() {
    if (!lease) throw new Error('extend before acquire');
    const sentAt = Date.now();
    try {
      lease = await lock.extend(lease);
      return { type: 'extended', ok: true, sentAt };
    } catch (error) {
      if (!(error instanceof LockLostError)) throw error;
      return { type: 'extended', ok: false, error: error.name };
    }
  },
  async release() {
    if (!lease) throw new Error('release before acquire');
    return { type: 'released', ok: await lock.release(lease) };
  },
  /**
   * One round of the takeover race: wait until `at` (epoch ms), then try once and keep what was won; the
   * test then sends `extend` and `release` (or `naiveRelease`) to the winner, after every contender tried.
   */
  async race(m) {
    await untilEpoch(Number(m.at));
    if (m.naive === true) {
      naive = await naiveTryAcquire(redis, String(m.resource), Number(options.ttlMs ?? 1000));
      return { type: 'raced', won: naive.won };
    }
    lease = await lock.tryAcquire(String(m.resource));
    return { type: 'raced', won: lease !== null, takeover: lease?.takeover ?? false };
  },
  async naiveRelease() {
    if (!naive?.won) throw new Error('naiveRelease without a naive win');
    return { type: 'released', ok: await naiveRelease(redis, naive.key, naive.value) };
  },
};

serveCommands(handlers);

/** Sleeps until just before `at`, then spins, so that every contender fires within a fraction of a ms. */
async function untilEpoch(at: number): Promise<void> {
  const left = at - Date.now();
  if (left > 2) await new Promise((r) => setTimeout(r, left - 2));
  while (Date.now() < at) {
    // spin
  }
}
