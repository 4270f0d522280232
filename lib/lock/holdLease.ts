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
  /** Set when the routine has returned: from then on nothing extends the lease or arms a timer. */
  let finished = false;
  const lose = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const armWatchdog = () => {
    clearTimeout(watchdog);
    if (finished) return;
    const left = (lock.localDeadline(current) ?? performance.now()) - performance.now();
    watchdog = setTimeout(() => lose(new LockLostError(resource, first.fence, 'expired')), Math.max(0, left));
  };
  const scheduleExtension = () => {
    if (finished) return;
    extendTimer = setTimeout(() => {
      extending = lock.extend(current).then(
        (lease) => {
          current = lease;
          armWatchdog();
          // An extension still in flight when the routine returned must not schedule the next one: with a
          // failed release after it, that timer would keep the lock alive for as long as the process lives.
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
    finished = true;
    clearTimeout(extendTimer);
    clearTimeout(watchdog);
    options.signal?.removeEventListener('abort', onCallerAbort);
    await extending;
    clearTimeout(extendTimer);
    clearTimeout(watchdog);
    // A failed release only means the lock stays until its expiry; it must not mask the routine's result.
    await lock.release(current).catch(() => false);
  }
}
