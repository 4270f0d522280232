/** Distributed lock: fenced timestamp + GETSET (default) or SET NX PX, on Redis. */

export { createRedisLock } from './createRedisLock.ts';
export {
  createScript,
  type PipelineReads,
  type Script,
  type ScriptArg,
  type ScriptClient,
} from './createScript.ts';
export type {
  AcquireOptions,
  DistributedLock,
  Lease,
  LockedRoutine,
  UsingOptions,
} from './DistributedLock.ts';
export {
  AbortError,
  isRetryableError,
  LockError,
  LockLostError,
  type LockLostReason,
  LockOptionsError,
  LockTimeoutError,
  LockValueError,
} from './errors.ts';
export {
  checkFenceReply,
  createFencedScript,
  FENCE_EXPIRED,
  FENCE_NOT_HELD,
  FENCE_PRELUDE_LUA,
  type FencedScript,
  type FenceGuard,
} from './fencedScript.ts';
export type { LockClock, LockStrategy, RedisLockOptions } from './lockOptions.ts';
export type { LockRedisClient } from './RedisLock.ts';
