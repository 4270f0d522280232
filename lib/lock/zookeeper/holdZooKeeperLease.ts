import type { Lease, LockedRoutine, UsingOptions } from '../DistributedLock.ts';
import { AbortError, type LockLostError } from '../errors.ts';
import type { ZooKeeperLock } from './ZooKeeperLock.ts';

/**
 * `using()` on ZooKeeper: acquire, run the routine, release. No timer extends anything: the client's
 * heartbeats keep the session, and so the lease, alive. The routine's signal aborts (with a
 * `LockLostError`) when the session is lost (expired, or disconnected past its timeout) or the znode is
 * deleted under us, and (with an `AbortError`) when the caller's signal fires.
 *
 *   acquire ──► routine ─────────────── heartbeats … ─── session expired → signal.abort(LockLostError)
 */
export async function holdZooKeeperLease<T>(
  lock: ZooKeeperLock,
  resource: string,
  routine: LockedRoutine<T>,
  options: UsingOptions,
): Promise<T> {
  const lease: Lease = await lock.acquire(resource, options);
  const controller = new AbortController();
  const lose = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const stopWatching = lock.onLost(lease, (error: LockLostError) => lose(error));
  const onCallerAbort = () => lose(new AbortError(resource, options.signal?.reason));
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await routine(lease, controller.signal);
  } finally {
    stopWatching();
    options.signal?.removeEventListener('abort', onCallerAbort);
    // A failed release only means the znode stays until the session ends; it must not mask the result.
    await lock.release(lease).catch(() => false);
  }
}
