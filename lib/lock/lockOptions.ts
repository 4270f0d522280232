import { LockOptionsError } from './errors.ts';

/** How the lock is taken. */
export type LockStrategy = 'getset' | 'set-nx-px';

/** Whose clock stamps and judges expiry times. */
export type LockClock = 'local' | 'redis';

/** How a waiter learns that the lock was released. */
export type LockHandoff = 'notify' | 'poll';

/** Options of {@link createRedisLock}. Every field is optional; the defaults suit a Lambda consumer. */
export interface RedisLockOptions {
  /**
   * `'getset'`: the classic timestamp scheme (value `<expiresAtMs>:<fence>:<token>`, takeover of an expired
   * value), run as one Lua script. `'set-nx-px'`: `SET key value NX PX ttl`, expiry enforced by Redis.
   * @defaultValue `'getset'` (the scheme this project is built around; see README "The lock").
   */
  strategy?: LockStrategy;
  /**
   * Lease length in milliseconds. A holder that crashes blocks the resource for at most `ttlMs + driftMs`.
   * @defaultValue `5000`: a payout commit takes a few milliseconds, so 5 s is never reached by a live holder
   * (and `using()` extends anyway), while a crashed Lambda frees its packet within about 5 s.
   */
  ttlMs?: number;
  /**
   * Clock-drift margin in milliseconds: an expired lock is taken over only when `expiresAt + driftMs < now`,
   * so a contender whose clock runs up to `driftMs` ahead cannot steal a live lock.
   * @defaultValue `100`: hosts synced by NTP / Amazon Time Sync stay within a few ms; 100 ms also covers a
   * badly drifting one while adding little to crash recovery.
   */
  driftMs?: number;
  /**
   * `'local'`: timestamps come from this process's `Date.now()`. `'redis'`: from Redis `TIME` inside the
   * scripts, so client clocks do not matter at all (one clock for everyone).
   * @defaultValue `'local'` (the classic scheme; `driftMs` covers skew). Prefer `'redis'` when client clocks
   * cannot be trusted.
   */
  clock?: LockClock;
  /**
   * Smallest backoff cap in ms: the n-th retry sleeps a uniformly random time in
   * `[0, min(maxDelayMs, minDelayMs × 2ⁿ)]` ("full jitter"), never past the holder's expiry or the deadline.
   * @defaultValue `1`: a payout critical section lasts about a millisecond.
   */
  minDelayMs?: number;
  /**
   * Largest backoff cap in ms.
   * @defaultValue `32`: measured on a 2-core machine, retry-immediately collapses to ~750 ops/s at 128 in
   * flight while full jitter capped at 32 ms holds ~4k ops/s with a bounded p99 wait.
   */
  maxDelayMs?: number;
  /**
   * Default time `acquire()` waits before throwing `LockTimeoutError`, in ms. Callers on Lambda pass a
   * `waitMs` derived from the remaining invocation time instead.
   * @defaultValue `10000`
   */
  waitMs?: number;
  /**
   * Prefix of the lock keys. Keys are `<keyPrefix>{<resource>}:lock` and `<keyPrefix>{<resource>}:fence`,
   * so every key of one resource shares the cluster hash tag `{<resource>}`.
   * @defaultValue `'rp:'`
   */
  keyPrefix?: string;
  /** Clock used when `clock` is `'local'` (tests inject a skewed clock). @defaultValue `Date.now` */
  now?: () => number;
  /**
   * `'notify'`: the releaser wakes the first waiter in line through Redis pub/sub (one subscriber
   * connection per lock instance, opened on the first wait), so a hand-over costs no polling; a waiter
   * still tries on its own every `wakeFallbackMs`, so a lost wake-up costs latency, never the lock.
   * `'poll'`: waiters poll with full-jitter backoff (`minDelayMs`..`maxDelayMs`). Either way waiters take
   * the lock in the order they arrived (a Redis wait list per resource), across processes.
   * @defaultValue `'notify'` when the client can open a subscriber (`duplicate()`), else `'poll'`
   */
  handoff?: LockHandoff;
  /**
   * With `'notify'`: the longest a waiter sleeps between its own attempts. A place in line lasts 4 × this
   * unless renewed, so a crashed waiter at the head holds a free lock back for at most that.
   * @defaultValue `250`
   */
  wakeFallbackMs?: number;
}

/** Options after validation, with every default applied. */
export type ResolvedLockOptions = Required<Omit<RedisLockOptions, 'handoff'>> & {
  handoff: LockHandoff | undefined;
};

const DEFAULTS: ResolvedLockOptions = {
  strategy: 'getset',
  ttlMs: 5000,
  driftMs: 100,
  clock: 'local',
  minDelayMs: 1,
  maxDelayMs: 32,
  waitMs: 10_000,
  keyPrefix: 'rp:',
  now: Date.now,
  handoff: undefined,
  wakeFallbackMs: 250,
};

const DAY_MS = 86_400_000;

/** Validates `options` and applies the defaults; throws {@link LockOptionsError} naming the bad option. */
export function resolveLockOptions(options: RedisLockOptions = {}): ResolvedLockOptions {
  if (typeof options !== 'object' || options === null) {
    throw new LockOptionsError('options', 'must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS)) throw new LockOptionsError(key, 'is not a known option');
  }
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  oneOf('strategy', o.strategy, ['getset', 'set-nx-px']);
  oneOf('clock', o.clock, ['local', 'redis']);
  if (o.handoff !== undefined) oneOf('handoff', o.handoff, ['notify', 'poll']);
  integer('wakeFallbackMs', o.wakeFallbackMs, 1, 60_000);
  integer('ttlMs', o.ttlMs, 1, DAY_MS);
  integer('driftMs', o.driftMs, 0, DAY_MS);
  integer('minDelayMs', o.minDelayMs, 1, 60_000);
  integer('maxDelayMs', o.maxDelayMs, 1, 60_000);
  if (o.maxDelayMs < o.minDelayMs) throw new LockOptionsError('maxDelayMs', 'must be >= minDelayMs');
  integer('waitMs', o.waitMs, 0, DAY_MS);
  if (typeof o.keyPrefix !== 'string' || o.keyPrefix.length > 64 || /[{}\s]/.test(o.keyPrefix)) {
    throw new LockOptionsError(
      'keyPrefix',
      'must be a string of at most 64 characters without braces or spaces',
    );
  }
  if (typeof o.now !== 'function') throw new LockOptionsError('now', 'must be a function returning epoch ms');
  return o;
}

/** Throws unless `resource` can be embedded in a key as a hash tag. */
export function assertResource(resource: unknown): asserts resource is string {
  if (typeof resource !== 'string' || !/^[^{}\s]{1,200}$/.test(resource)) {
    throw new LockOptionsError(
      'resource',
      'must be 1-200 characters without braces or whitespace',
      typeof resource === 'string' ? resource : undefined,
    );
  }
}

/** Validates a per-call duration such as `waitMs` or an `extend()` ttl. */
export function assertDuration(name: string, value: unknown, min: number): asserts value is number {
  integer(name, value, min, DAY_MS);
}

function integer(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LockOptionsError(name, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new LockOptionsError(name, `must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
