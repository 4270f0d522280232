import { createRedisLock, type LockClock, type LockStrategy } from '../../lib/lock/index.ts';
import { fencedCounterSet } from './fencedCounterSet.ts';
import type { LockContender, OpenContender } from './LockContender.ts';

/** Slack the crash bound allows past TTL + drift (the target: TTL + drift + 250 ms). */
const RECOVERY_SLACK_MS = 250;
const DEFAULT_DRIFT_MS = 100;
const DEFAULT_TTL_MS = 5000;

/**
 * This project's lock with its default options. Plain: acquire, GET, fenced SET, release (four round
 * trips, like every other contender). Pipelined: `acquireAndRead` (the GET rides with the acquisition)
 * and a fenced SET that also releases: two round trips, the form the payout pipeline uses. `clock: 'redis'`
 * (the pipeline's default, `LOCK_CLOCK`) reads Redis TIME inside the scripts instead of sending `Date.now()`.
 */
export function ourLock(
  strategy: LockStrategy,
  pipelined: boolean,
  clock: LockClock = 'local',
): LockContender {
  const variant = [pipelined ? 'pipelined' : '', clock === 'redis' ? 'redis clock' : ''].filter(Boolean);
  return {
    name: variant.length ? `${strategy} (${variant.join(' + ')})` : strategy,
    group: 'ours',
    backend: 'redis',
    crashable: !pipelined,
    settings: `defaults: waitMs 10000, driftMs ${DEFAULT_DRIFT_MS}, notify hand-over (fallback 250 ms)${
      pipelined ? ', acquireAndRead + commit({release: true})' : ''
    }${clock === 'redis' ? ", clock 'redis'" : ''}`,
    recoveryBoundMs: (ttlMs) => ttlMs + (strategy === 'getset' ? DEFAULT_DRIFT_MS : 0) + RECOVERY_SLACK_MS,
    open({ redis }): OpenContender {
      const lock = createRedisLock(redis, { strategy, clock });
      const locks = new Map([[DEFAULT_TTL_MS, lock]]);
      const lockFor = (ttlMs: number) => {
        let found = locks.get(ttlMs);
        if (!found) {
          found = createRedisLock(redis, { strategy, ttlMs, clock });
          locks.set(ttlMs, found);
        }
        return found;
      };
      return {
        async acquire(resource, ttlMs) {
          const l = lockFor(ttlMs);
          const lease = await l.acquire(resource);
          return {
            write: async (key, value) => {
              await l.commit(lease, fencedCounterSet, [key], [value]);
            },
            release: async () => {
              await l.release(lease);
            },
          };
        },
        increment: pipelined
          ? async (resource, counterKey) => {
              const started = performance.now();
              const { lease, replies } = await lock.acquireAndRead(resource, (p) => p.get(counterKey));
              const waited = performance.now() - started;
              const value = Number(replies[0] ?? 0) + 1;
              await lock.commit(lease, fencedCounterSet, [counterKey], [value], { release: true });
              return waited;
            }
          : undefined,
        close: async () => {},
      };
    },
  };
}
