/**
 * Errors raised by `lib/lock`. Every error names the resource it concerns and says whether retrying the
 * same work later can succeed (`retryable`): a pipeline turns retryable errors into an SQS retry and
 * permanent ones into a rejection.
 */
export class LockError extends Error {
  /** The resource (for example a packet id) the error concerns; `undefined` for option errors. */
  readonly resource: string | undefined;
  /** True when the same work may succeed later (contention, lost lease, Redis unavailable). */
  readonly retryable: boolean;

  constructor(message: string, opts: { resource?: string; retryable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LockError';
    this.resource = opts.resource;
    this.retryable = opts.retryable;
  }
}

/** `acquire()` reached its deadline while another holder kept the lock. Retryable. */
export class LockTimeoutError extends LockError {
  /** How long acquire() waited, in milliseconds. */
  readonly waitedMs: number;
  /** Attempts made before giving up. */
  readonly attempts: number;

  constructor(resource: string, waitedMs: number, attempts: number) {
    super(`timed out after ${waitedMs} ms (${attempts} attempts) waiting for the lock on "${resource}"`, {
      resource,
      retryable: true,
    });
    this.name = 'LockTimeoutError';
    this.waitedMs = waitedMs;
    this.attempts = attempts;
  }
}

/**
 * Why a lease stopped being ours. `'session'`: the ZooKeeper session that held it expired, or was cut
 * off for longer than the session timeout (or is disconnected right now, so holding cannot be proven).
 */
export type LockLostReason = 'not-held' | 'expired' | 'session';

/**
 * The lease is no longer ours: it expired, or another holder took the lock over, or it was released.
 * Raised by `extend()` and by fenced writes, which are then refused (nothing is written). Retryable:
 * the work can be redone under a new lease.
 */
export class LockLostError extends LockError {
  readonly reason: LockLostReason;
  /** Fencing token of the lease that was lost. */
  readonly fence: number;

  constructor(resource: string, fence: number, reason: LockLostReason, cause?: unknown) {
    const why =
      reason === 'expired'
        ? 'its lease expired'
        : reason === 'session'
          ? 'its ZooKeeper session was lost'
          : 'the lock is held by someone else or nobody';
    super(`lost the lock on "${resource}" (fence ${fence}): ${why}`, { resource, retryable: true, cause });
    this.name = 'LockLostError';
    this.reason = reason;
    this.fence = fence;
  }
}

/** The caller's AbortSignal fired while waiting for the lock. Not retryable by the lock itself. */
export class AbortError extends LockError {
  constructor(resource: string, cause?: unknown) {
    super(`aborted while waiting for the lock on "${resource}"`, { resource, retryable: false, cause });
    this.name = 'AbortError';
  }
}

/** A lock option or a resource name is invalid. Permanent: fix the configuration or the input. */
export class LockOptionsError extends LockError {
  /** The option (or `resource`) that is wrong. */
  readonly option: string;

  constructor(option: string, message: string, resource?: string) {
    super(`invalid lock option "${option}": ${message}`, {
      retryable: false,
      ...(resource === undefined ? {} : { resource }),
    });
    this.name = 'LockOptionsError';
    this.option = option;
  }
}

/**
 * The lock key holds a value this library did not write (wrong format). Permanent: something else uses
 * the key. The lock refuses to guess whether it is expired rather than delete foreign data.
 */
export class LockValueError extends LockError {
  readonly key: string;

  constructor(resource: string, key: string) {
    super(`lock key "${key}" holds a value in an unknown format; refusing to touch it`, {
      resource,
      retryable: false,
    });
    this.name = 'LockValueError';
    this.key = key;
  }
}

/**
 * The lock service (ZooKeeper) could not be reached, or did not answer within the operation timeout.
 * Retryable: the session reconnects by itself, or a new one is opened on the next call.
 */
export class LockUnavailableError extends LockError {
  /** What the lock was doing (`'connect'`, `'create'`, `'getChildren'`, ...). */
  readonly operation: string;

  constructor(operation: string, message: string, opts: { resource?: string; cause?: unknown } = {}) {
    super(`lock service unavailable during ${operation}: ${message}`, { ...opts, retryable: true });
    this.name = 'LockUnavailableError';
    this.operation = operation;
  }
}

/**
 * A fencing token cannot be used: a ZooKeeper zxid too large to be a safe JavaScript integer, or a new
 * lease whose fence is lower than one the resource has already seen (the ZooKeeper ensemble was rebuilt
 * from empty: its zxids started again). Permanent: an operator must reset the resource's fence key.
 */
export class LockFenceError extends LockError {
  /** The fence that could not be used, as a decimal string (it may exceed 2^53). */
  readonly fence: string;

  constructor(resource: string, fence: string, message: string) {
    super(`unusable fence ${fence} for "${resource}": ${message}`, { resource, retryable: false });
    this.name = 'LockFenceError';
    this.fence = fence;
  }
}

/**
 * True when `error` is worth retrying later: an error whose `retryable` flag says so (every LockError and
 * PacketError has one), or a connection-level failure (Redis unreachable, connection reset, command
 * timeout) rather than a bug or bad input.
 */
export function isRetryableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // LockError, and the domain's errors, say it themselves.
  const retryable = (error as { retryable?: unknown }).retryable;
  if (typeof retryable === 'boolean') return retryable;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  return RETRYABLE_MESSAGES.test(error.message);
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// ioredis reports a closed or stalled connection with these messages and no `code` (a command in flight
// when the connection closed is "aborted"); a Redis Cluster mid-failover or mid-migration answers
// TRYAGAIN / CLUSTERDOWN, or MOVED / ASK where ioredis could not follow the redirection in a pipeline;
// ioredis gives up on a slot that keeps moving with "Too many Cluster redirections".
const RETRYABLE_MESSAGES =
  /Connection is closed|Stream isn't writeable|max retries per request|Command timed out|Command aborted due to connection close|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|Too many Cluster redirections|^(MOVED|ASK) \d+ /;
