import { Redlock, type Settings } from '@sesamecare-oss/redlock';
import type { LockContender } from './LockContender.ts';

/**
 * Tuned retries for one hot lock: a shorter delay with jitter (uniform in [10, 90] ms) and a retry budget
 * of about 10 s instead of 10 × 200 ms, so waiters do not give up under load. Picked by a sweep at 128 in
 * flight (bench/README.md): 5 ± 4 ms and 20 ± 15 ms flood Redis with retries (60-80 and 19 commands per op)
 * and lose throughput; 50 ± 40 ms had the best throughput and p99 wait without failures.
 * `BENCH_REDLOCK_TUNED` (JSON settings) overrides it, for sweeps.
 */
export const REDLOCK_TUNED: Settings = process.env.BENCH_REDLOCK_TUNED
  ? (JSON.parse(process.env.BENCH_REDLOCK_TUNED) as Settings)
  : { retryCount: 200, retryDelay: 50, retryJitter: 40 };

/**
 * `@sesamecare-oss/redlock` on a single Redis instance (quorum of one), with its default retry settings
 * (10 retries, 200 ± 100 ms apart: a waiter gives up after about 2 s) or {@link REDLOCK_TUNED}.
 */
export function redlock(tuned: boolean): LockContender {
  const settings: Settings = tuned ? REDLOCK_TUNED : {};
  return {
    name: tuned ? 'redlock (tuned)' : 'redlock (default)',
    group: 'library',
    backend: 'redis',
    crashable: true,
    settings: tuned
      ? `retryCount ${REDLOCK_TUNED.retryCount}, retryDelay ${REDLOCK_TUNED.retryDelay} ms, retryJitter ${REDLOCK_TUNED.retryJitter} ms`
      : 'defaults: retryCount 10, retryDelay 200 ms, retryJitter 100 ms',
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
