import { LockOptionsError } from '../errors.ts';
import { assertDuration } from '../lockOptions.ts';

/** What the ZooKeeper lock reports to {@link ZooKeeperLockOptions.onEvent} (instrumentation and tests). */
export type ZooKeeperLockEvent =
  /** A waiter's znode was created: it has its place in the queue. */
  | { type: 'queued'; resource: string; node: string }
  /** The watch a waiter set on its predecessor fired (the predecessor released, crashed or gave up). */
  | { type: 'watch-fired'; resource: string; node: string; predecessor: string }
  | { type: 'acquired'; resource: string; node: string; fence: number };

/** Options of `createZooKeeperLock`. Every field is optional. */
export interface ZooKeeperLockOptions {
  /**
   * Parent of the per-resource lock znodes, below the session's chroot: the waiters of resource `r` are
   * `<root>/<r>/lock-<token>-<sequence>`.
   * @defaultValue `'/locks'`
   */
  root?: string;
  /**
   * Default time `acquire()` waits before throwing `LockTimeoutError`, in ms (on Lambda, pass a per-call
   * `waitMs` derived from the remaining time).
   * @defaultValue `10000`, as for the Redis lock
   */
  waitMs?: number;
  /**
   * Longest wait for any single ZooKeeper reply, in ms, before `LockUnavailableError`. The client queues
   * requests while disconnected, so without this bound a call could outlive the Lambda.
   * @defaultValue `5000`
   */
  operationTimeoutMs?: number;
  /**
   * Prefix of the Redis fence key, `<keyPrefix>{<resource>}:zkfence`: the same hash tag as the resource's
   * own keys, so a commit script can check the fence and write the resource in one cluster slot.
   * @defaultValue `'rp:'`
   */
  keyPrefix?: string;
  /** Called synchronously on queueing, watch and acquisition events. @defaultValue none */
  onEvent?: (event: ZooKeeperLockEvent) => void;
}

/** Options after validation, with every default applied. */
export type ResolvedZooKeeperLockOptions = Required<Omit<ZooKeeperLockOptions, 'onEvent'>> &
  Pick<ZooKeeperLockOptions, 'onEvent'>;

const KNOWN = new Set(['root', 'waitMs', 'operationTimeoutMs', 'keyPrefix', 'onEvent']);

/** Validates `options` and applies the defaults; throws `LockOptionsError` naming the bad option. */
export function resolveZooKeeperLockOptions(
  options: ZooKeeperLockOptions = {},
): ResolvedZooKeeperLockOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new LockOptionsError(key, 'is not a known option');
  }
  const resolved = {
    root: options.root ?? '/locks',
    waitMs: options.waitMs ?? 10_000,
    operationTimeoutMs: options.operationTimeoutMs ?? 5000,
    keyPrefix: options.keyPrefix ?? 'rp:',
    onEvent: options.onEvent,
  };
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(resolved.root)) {
    throw new LockOptionsError('root', 'must be an absolute znode path such as /locks');
  }
  assertDuration('waitMs', resolved.waitMs, 0);
  assertDuration('operationTimeoutMs', resolved.operationTimeoutMs, 1);
  if (typeof resolved.keyPrefix !== 'string' || /[{}\s]/.test(resolved.keyPrefix)) {
    throw new LockOptionsError('keyPrefix', 'must be a string without braces or spaces');
  }
  if (resolved.onEvent !== undefined && typeof resolved.onEvent !== 'function') {
    throw new LockOptionsError('onEvent', 'must be a function');
  }
  return resolved;
}
