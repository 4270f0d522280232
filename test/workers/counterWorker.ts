/**
 * Read-modify-write of one counter by many concurrent loops: GET, compute, SET. Env: REDIS_URL,
 * MODE (`locked`: GET/SET under using(); `unlocked`: no lock, the control; `fenced`: GET then fenced SET,
 * retrying refused writes; `unfenced`: the same with a plain SET, the control), LOOPS, INCREMENTS (per
 * loop), SLOW_EVERY (every n-th critical section sleeps SLOW_MS, to outlive a short TTL), LOCK_OPTIONS,
 * LOCK_BACKEND (see workerLock.ts).
 * Reports `{type: 'done', applied, refused, takeovers}` once the test sends `go`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { LockLostError } from '../../lib/lock/index.ts';
import { command, report, runWorker } from '../harness/workerRuntime.ts';
import { fencedSet } from './testScripts.ts';
import { workerLock } from './workerLock.ts';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const mode = env('MODE', 'locked');
const loops = Number(env('LOOPS', '25'));
const increments = Number(env('INCREMENTS', '50'));
const slowEvery = Number(env('SLOW_EVERY', '0'));
const slowMs = Number(env('SLOW_MS', '0'));
const redis = new Redis(env('REDIS_URL', ''), { maxRetriesPerRequest: 1 });
const { lock, close } = await workerLock(redis);
const COUNTER = 'rp:{counter}:value';
const RESOURCE = 'counter';
const stats = { applied: 0, refused: 0, takeovers: 0 };
let sections = 0;

/** The critical section's pause: a yield, and now and then a stall longer than a short TTL. */
async function pause(): Promise<void> {
  sections++;
  if (slowEvery > 0 && sections % slowEvery === 0) await sleep(slowMs);
  else await new Promise((resolve) => setImmediate(resolve));
}

async function readModifyWrite(): Promise<void> {
  const value = Number((await redis.get(COUNTER)) ?? 0);
  await pause();
  await redis.set(COUNTER, value + 1);
  stats.applied++;
}

/** GET, then a SET that only lands while the lease still holds the lock; a refused write is redone. */
async function fencedIncrement(fenced: boolean): Promise<void> {
  for (;;) {
    const lease = await lock.acquire(RESOURCE, { waitMs: 30_000 });
    if (lease.takeover) stats.takeovers++;
    try {
      const value = Number((await redis.get(COUNTER)) ?? 0);
      await pause();
      if (fenced) await fencedSet.run(redis, lock.guard(lease), [COUNTER], [value + 1]);
      else await redis.set(COUNTER, value + 1);
      stats.applied++;
      return;
    } catch (error) {
      if (!(error instanceof LockLostError)) throw error;
      stats.refused++;
    } finally {
      await lock.release(lease);
    }
  }
}

const step: Record<string, () => Promise<void>> = {
  locked: () => lock.using(RESOURCE, readModifyWrite, { waitMs: 30_000 }),
  unlocked: readModifyWrite,
  fenced: () => fencedIncrement(true),
  unfenced: () => fencedIncrement(false),
};

runWorker(async () => {
  const run = step[mode];
  if (!run) throw new Error(`unknown MODE ${mode}`);
  report({ type: 'ready' });
  await command('go');
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (let i = 0; i < increments; i++) await run();
    }),
  );
  report({ type: 'done', ...stats });
  await close();
  redis.disconnect();
});
