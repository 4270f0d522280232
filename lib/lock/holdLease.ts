import type { Lease, LockedRoutine, UsingOptions } from './DistributedLock.ts';
import { AbortError, LockLostError } from './errors.ts';
import { assertDuration } from './lockOptions.ts';
import type { RedisLock } from './RedisLock.ts';

/**
 * `using()`: acquire, run the routine while extending the lease, release. The routine's signal aborts when
 * an extension is refused, when the lease runs out locally before an extension got through (Redis slow or
 * unreachable), or when the caller's own signal fires.
 *
 *   acquire ──► routine ───────────────────────────────────────────────► release
 *               │ extend @ttl/2  │ extend @ttl/2  │ refused → signal.abort(LockLostError)
 */
export async function holdLease<T>(
  lock: RedisLock,
  resource: string,
  routine: LockedRoutine<T>,
  options: UsingOptions,
): Promise<T> {
  const extendEveryMs = options.extendEveryMs ?? Math.max(1, Math.floor(lock.options.ttlMs / 2));
  assertDuration('extendEveryMs', extendEveryMs, 1);
  const first = await lock.acquire(resource, options);
  const controller = new AbortController();
  let current: Lease = first;
  let extending: Promise<void> = Promise.resolve();
  let extendTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const lose = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const armWatchdog = () => {
    clearTimeout(watchdog);
    const left = (lock.localDeadline(current) ?? performance.now()) - performance.now();
    watchdog = setTimeout(() => lose(new LockLostError(resource, first.fence, 'expired')), Math.max(0, left));
  };
  const scheduleExtension = () => {
    extendTimer = setTimeout(() => {
      extending = lock.extend(current).then(
        (lease) => {
          current = lease;
          armWatchdog();
          if (!controller.signal.aborted) scheduleExtension();
        },
        (error: unknown) => {
          // Refused: the lease is gone for good. Anything else (Redis slow or down): try again; the
          // watchdog aborts if the lease runs out first.
          if (error instanceof LockLostError) lose(error);
          else if (!controller.signal.aborted) scheduleExtension();
        },
      );
    }, extendEveryMs);
  };
  const onCallerAbort = () => lose(new AbortError(resource, options.signal?.reason));
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  armWatchdog();
  scheduleExtension();
  try {
    return await routine(first, controller.signal);
  } finally {
    clearTimeout(extendTimer);
    clearTimeout(watchdog);
    options.signal?.removeEventListener('abort', onCallerAbort);
    await extending;
    // A failed release only means the lock stays until its expiry; it must not mask the routine's result.
    await lock.release(current).catch(() => false);
  }
}
