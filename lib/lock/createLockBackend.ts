import { createRedisLock } from './createRedisLock.ts';
import type { ScriptClient } from './createScript.ts';
import type { DistributedLock } from './DistributedLock.ts';
import { LockOptionsError } from './errors.ts';
import type { RedisLockOptions } from './lockOptions.ts';
import type { ZooKeeperLockOptions, ZooKeeperSessionOptions } from './zookeeper/index.ts';

/** The lock backends a deployment can choose with `LOCK_BACKEND`. */
export const LOCK_BACKENDS = ['redis-getset', 'redis-setnx', 'zookeeper'] as const;

/**
 * `'redis-getset'`: the timestamp + GETSET scheme. `'redis-setnx'`: `SET NX PX`. `'zookeeper'`: ephemeral
 * sequential znodes (FIFO, no herd), fenced in Redis by creation zxid.
 */
export type LockBackend = (typeof LOCK_BACKENDS)[number];

/** Options of {@link createLockBackend}. */
export interface LockBackendOptions {
  /** @defaultValue `'redis-getset'` (the scheme this project is built around) */
  backend?: LockBackend;
  /** `host:port[,host:port...][/chroot]`; required for `'zookeeper'`, ignored otherwise. */
  zookeeperConnect?: string;
  /** Session options for `'zookeeper'`. @defaultValue `{}` (see `ZooKeeperSessionOptions`) */
  zookeeperSession?: ZooKeeperSessionOptions;
  /** Options of the Redis lock (its `strategy` comes from `backend`). @defaultValue `{}` */
  redisLock?: Omit<RedisLockOptions, 'strategy'>;
  /** Options of the ZooKeeper lock. @defaultValue `{}` */
  zookeeperLock?: ZooKeeperLockOptions;
}

/** A lock chosen by configuration, with whatever connection it opened. */
export interface LockBackendHandle {
  readonly backend: LockBackend;
  readonly lock: DistributedLock;
  /** Closes the ZooKeeper session, if any (its znodes, and so its locks, go with it). */
  close(): Promise<void>;
}

/**
 * The packet lock for a backend name: the one switch between the Redis schemes and ZooKeeper, so callers
 * (the Lambda services, the benchmarks, the test workers) never build a lock themselves. Nothing connects
 * until the first acquisition. The ZooKeeper modules (and their client) are loaded only when `'zookeeper'`
 * is chosen, so a function bundle on a Redis lock never evaluates them at cold start. Rejects with
 * `LockOptionsError` for an unknown backend or a missing connect string.
 */
export async function createLockBackend(
  redis: ScriptClient,
  options: LockBackendOptions = {},
): Promise<LockBackendHandle> {
  const backend = options.backend ?? 'redis-getset';
  switch (backend) {
    case 'redis-getset':
    case 'redis-setnx': {
      const strategy = backend === 'redis-getset' ? 'getset' : 'set-nx-px';
      const lock = createRedisLock(redis, { ...options.redisLock, strategy });
      return { backend, lock, close: async () => {} };
    }
    case 'zookeeper': {
      if (!options.zookeeperConnect) {
        throw new LockOptionsError('zookeeperConnect', 'is required when the backend is zookeeper');
      }
      const { ZooKeeperSession, createZooKeeperLock } = await import('./zookeeper/index.ts');
      const session = new ZooKeeperSession(options.zookeeperConnect, options.zookeeperSession);
      const lock = createZooKeeperLock(session, redis, options.zookeeperLock);
      return { backend, lock, close: () => session.close() };
    }
    default:
      throw new LockOptionsError(
        'backend',
        `must be one of ${LOCK_BACKENDS.join(', ')}, got ${String(backend)}`,
      );
  }
}
