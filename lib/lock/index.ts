/**
 * Distributed lock: fenced timestamp + GETSET (default) or SET NX PX on Redis, or ZooKeeper znodes (whose
 * exports live in `./zookeeper/index.ts`, so that importing this barrel never loads the ZooKeeper client).
 */

export {
  createLockBackend,
  LOCK_BACKENDS,
  type LockBackend,
  type LockBackendHandle,
  type LockBackendOptions,
} from './createLockBackend.ts';
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
  LockFenceError,
  LockLostError,
  type LockLostReason,
  LockOptionsError,
  LockTimeoutError,
  LockUnavailableError,
  LockValueError,
} from './errors.ts';
export {
  checkFenceReply,
  createFencedScript,
  FENCE_EXPIRED,
  FENCE_HIGH_WATER_MARK_PRELUDE_LUA,
  FENCE_NOT_HELD,
  FENCE_PRELUDE_LUA,
  type FencedScript,
  type FenceGuard,
} from './fencedScript.ts';
export type { LockClock, LockStrategy, RedisLockOptions } from './lockOptions.ts';
export type { LockRedisClient } from './RedisLock.ts';
