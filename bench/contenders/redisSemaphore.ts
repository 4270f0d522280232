import { Mutex } from 'redis-semaphore';
import type { LockContender } from './LockContender.ts';

/**
 * Tuned retries: redis-semaphore retries at a fixed interval (it has no jitter option). Picked by a sweep
 * at 128 in flight (bench/README.md): 2 and 5 ms flood Redis (19 and 11 commands per op) and lose
 * throughput; 20 ms had the best throughput, 50 ms no better. `BENCH_SEMAPHORE_RETRY_MS` overrides it.
 */
export const SEMAPHORE_TUNED_RETRY_MS = Number(process.env.BENCH_SEMAPHORE_RETRY_MS ?? 20);
/** Tuned give-up: long enough that no waiter gives up in any cell of the bench. */
export const SEMAPHORE_TUNED_TIMEOUT_MS = 30_000;

/**
 * `redis-semaphore`'s `Mutex` (SET NX PX, refreshed while held), with its default retry settings
 * (every 10 ms, giving up after 10 s) or a retry interval of {@link SEMAPHORE_TUNED_RETRY_MS}.
 */
export function redisSemaphore(tuned: boolean): LockContender {
  return {
    name: tuned ? 'redis-semaphore (tuned)' : 'redis-semaphore (default)',
    group: 'library',
    backend: 'redis',
    crashable: true,
    settings: tuned
      ? `retryInterval ${SEMAPHORE_TUNED_RETRY_MS} ms, acquireTimeout ${SEMAPHORE_TUNED_TIMEOUT_MS / 1000} s`
      : 'defaults: retryInterval 10 ms, acquireTimeout 10 s',
    open({ redis }) {
      return {
        async acquire(resource, ttlMs) {
          const mutex = new Mutex(redis, `{${resource}}`, {
            lockTimeout: ttlMs,
            ...(tuned
              ? { retryInterval: SEMAPHORE_TUNED_RETRY_MS, acquireTimeout: SEMAPHORE_TUNED_TIMEOUT_MS }
              : {}),
          });
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
