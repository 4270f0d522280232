import type { PipelineReads, ScriptArg } from './createScript.ts';
import type { FencedScript, FenceGuard } from './fencedScript.ts';

/** One acquisition of a lock. Immutable: `extend()` returns a new lease with the same token and fence. */
export interface Lease {
  /** The resource the lock protects (for example a packet id). */
  readonly resource: string;
  /**
   * The Redis key fenced writes check: the lock key (Redis lock), or the resource's fence high-water mark
   * `<prefix>{<resource>}:zkfence` (ZooKeeper lock).
   */
  readonly key: string;
  /** Redis lock: the value written to the key, `<expiresAtMs>:<fence>:<token>`. ZooKeeper: the znode path. */
  readonly value: string;
  /** Random owner token, 128 bits, base64url. Release, extension and fenced writes compare it. */
  readonly token: string;
  /**
   * Fencing token: grows with every acquisition and never goes back. Redis: a per-resource counter.
   * ZooKeeper: the znode's creation zxid (large, and not consecutive).
   */
  readonly fence: number;
  /**
   * Epoch ms, by the lock's clock (local or Redis `TIME`), at which the lease ends unless extended.
   * ZooKeeper: a lease lasts as long as its session; this is when it would end if the client were cut off
   * now (now + session timeout), refreshed by `extend()`.
   */
  readonly expiresAt: number;
  /** True when acquired by taking over an expired lock (its holder crashed or stalled). */
  readonly takeover: boolean;
}

/** Options of {@link DistributedLock.acquire}. */
export interface AcquireOptions {
  /**
   * Give up after this many ms with `LockTimeoutError`. On Lambda, derive it from
   * `context.getRemainingTimeInMillis()` so the message is retried through SQS instead of timing out.
   * @defaultValue the lock's `waitMs` option
   */
  waitMs?: number;
  /** Abort waiting; acquire() then rejects with `AbortError`. */
  signal?: AbortSignal;
}

/** Options of {@link DistributedLock.using}. */
export interface UsingOptions extends AcquireOptions {
  /**
   * Extend the lease this often while the routine runs, in ms.
   * @defaultValue half the lock's `ttlMs`, so one failed extension still leaves time for the next.
   */
  extendEveryMs?: number;
}

/** A lock held around a routine: see {@link DistributedLock.using}. */
export type LockedRoutine<T> = (lease: Lease, signal: AbortSignal) => Promise<T>;

/** A mutual-exclusion lock shared by every process that talks to the same server. */
export interface DistributedLock {
  /**
   * Waits for the lock. Resolves with a lease, or rejects with `LockTimeoutError` at the deadline or
   * `AbortError` when `signal` fires. Backs off with full jitter and never sleeps past the holder's expiry.
   */
  acquire(resource: string, options?: AcquireOptions): Promise<Lease>;
  /**
   * Like `acquire()`, but the commands `reads` queues ride in the same pipeline as each acquisition
   * attempt, right behind it: when the attempt wins, they ran under the lock, and their replies come back
   * with the lease. Saves the round trip that would otherwise read state after acquiring.
   */
  acquireAndRead(
    resource: string,
    reads: PipelineReads,
    options?: AcquireOptions,
  ): Promise<{ lease: Lease; replies: unknown[] }>;
  /** One attempt: a lease, or `null` when a live holder has the lock. */
  tryAcquire(resource: string): Promise<Lease | null>;
  /** Frees the lock if `lease` still holds it. Resolves `true` if it was ours, `false` otherwise. */
  release(lease: Lease): Promise<boolean>;
  /**
   * Pushes the lease's expiry to now + `ttlMs` (default: the lock's `ttlMs`). Rejects with `LockLostError`
   * when the lease no longer holds the lock or has expired.
   */
  extend(lease: Lease, ttlMs?: number): Promise<Lease>;
  /**
   * Acquires the lock, runs `routine`, extends the lease while it runs, and always releases. `signal`
   * aborts (with a `LockLostError` reason) when the lease is lost, or when the caller's signal fires:
   * check it before writing, and use fenced writes for anything that must not happen after a loss.
   */
  using<T>(resource: string, routine: LockedRoutine<T>, options?: UsingOptions): Promise<T>;
  /** What a fenced script needs to check that `lease` still holds the lock (see `createFencedScript`). */
  guard(lease: Lease): FenceGuard;
  /**
   * Runs a fenced script under `lease`: rejects with `LockLostError`, writing nothing, when the lease no
   * longer holds the lock. With `release: true` the lock is released by the same script (one round trip
   * for commit + release), whatever the body returned.
   */
  commit<T>(
    lease: Lease,
    script: FencedScript<T>,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options?: { release?: boolean },
  ): Promise<T>;
}
