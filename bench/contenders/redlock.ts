import { Redlock, type Settings } from '@sesamecare-oss/redlock';
import type { LockContender } from './LockContender.ts';

/** Which retry settings a redlock contender uses. */
export type RetryVariant = 'default' | 'tuned' | 'short retries';

/**
 * Retry settings per variant. `default`: the library's (10 retries, 200 ± 100 ms apart: a waiter gives up
 * after about 2 s). `tuned`: the best of a sweep at 128 in flight on one hot key (bench/README.md), 50 ± 40
 * ms with a ~10 s budget: best throughput and p99 wait without failures. `short retries`: what the usual
 * advice ("retry sooner, with jitter") gives, 5 ± 4 ms with a ~10 s budget: waiters stay close behind a
 * release, and the retries flood Redis. `BENCH_REDLOCK_TUNED` (JSON settings) overrides `tuned`, for sweeps.
 */
export const REDLOCK_SETTINGS: Record<RetryVariant, Settings> = {
  default: {},
  tuned: process.env.BENCH_REDLOCK_TUNED
    ? (JSON.parse(process.env.BENCH_REDLOCK_TUNED) as Settings)
    : { retryCount: 200, retryDelay: 50, retryJitter: 40 },
  'short retries': { retryCount: 2000, retryDelay: 5, retryJitter: 4 },
};

/** `@sesamecare-oss/redlock` on a single Redis instance (quorum of one), with `variant`'s retries. */
export function redlock(variant: RetryVariant): LockContender {
  const settings = REDLOCK_SETTINGS[variant];
  return {
    name: `redlock (${variant})`,
    group: 'library',
    backend: 'redis',
    crashable: true,
    settings:
      variant === 'default'
        ? 'defaults: retryCount 10, retryDelay 200 ms, retryJitter 100 ms'
        : `retryCount ${settings.retryCount}, retryDelay ${settings.retryDelay} ms, retryJitter ${settings.retryJitter} ms`,
    open({ redis }) {
      const client = new Redlock([redis], settings);
      client.on('error', () => {}); // failed attempts are counted by the bench, not logged
      return {
        async acquire(resource, ttlMs) {
          const lock = await client.acquire([`redlock:{${resource}}`], ttlMs);
          return {
            write: async (key, value) => {
              await redis.set(key, value);
            },
            release: async () => {
              await lock.release();
            },
          };
        },
        close: async () => {},
      };
    },
  };
}
