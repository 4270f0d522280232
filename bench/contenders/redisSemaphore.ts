import { Mutex, type TimeoutOptions } from 'redis-semaphore';
import type { LockContender } from './LockContender.ts';
import type { RetryVariant } from './redlock.ts';

/**
 * Retry settings per variant (redis-semaphore retries at a fixed interval; it has no jitter option).
 * `default`: the library's (every 10 ms, giving up after 10 s). `tuned`: the best of a sweep at 128 in
 * flight on one hot key (bench/README.md), 20 ms. `short retries`: 2 ms, the usual "retry sooner" advice.
 * Both give up only after 30 s, so no waiter gives up in any cell. `BENCH_SEMAPHORE_RETRY_MS` overrides the
 * tuned interval, for sweeps.
 */
export const SEMAPHORE_SETTINGS: Record<RetryVariant, TimeoutOptions> = {
  default: {},
  tuned: { retryInterval: Number(process.env.BENCH_SEMAPHORE_RETRY_MS ?? 20), acquireTimeout: 30_000 },
  'short retries': { retryInterval: 2, acquireTimeout: 30_000 },
};

/** `redis-semaphore`'s `Mutex` (SET NX PX, refreshed while held), with `variant`'s retries. */
export function redisSemaphore(variant: RetryVariant): LockContender {
  const settings = SEMAPHORE_SETTINGS[variant];
  return {
    name: `redis-semaphore (${variant})`,
    group: 'library',
    backend: 'redis',
    crashable: true,
    settings:
      variant === 'default'
        ? 'defaults: retryInterval 10 ms, acquireTimeout 10 s'
        : `retryInterval ${settings.retryInterval} ms, acquireTimeout ${(settings.acquireTimeout ?? 0) / 1000} s`,
    open({ redis }) {
      return {
        async acquire(resource, ttlMs) {
          const mutex = new Mutex(redis, `{${resource}}`, { lockTimeout: ttlMs, ...settings });
          await mutex.acquire();
          return {
            write: async (key, value) => {
              await redis.set(key, value);
            },
            release: () => mutex.release(),
          };
        },
        close: async () => {},
      };
    },
  };
}
