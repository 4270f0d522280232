import { createLockBackend, type LockBackendHandle } from '../../lib/lock/index.ts';
import { fencedCounterSet } from './fencedCounterSet.ts';
import type { LockContender } from './LockContender.ts';

/** Server tick of the bench's ZooKeeper (infra/local/zookeeperServer.ts default): expiry is checked per tick. */
const TICK_MS = 200;
/** Shortest session the bench's server grants. */
const MIN_SESSION_MS = 1000;
const RECOVERY_SLACK_MS = 250;

/** Session timeout the contender asks for a lease of `ttlMs`: ZooKeeper's crash bound is the session. */
const sessionFor = (ttlMs: number) => Math.max(MIN_SESSION_MS, ttlMs);

/**
 * This project's ZooKeeper backend (`LOCK_BACKEND=zookeeper`): ephemeral sequential znodes, each waiter
 * watching its predecessor, fenced in Redis. Its "TTL" is the session timeout: a crashed holder's znode
 * goes when the server expires its session.
 */
export const zooKeeper: LockContender = {
  name: 'zookeeper',
  group: 'ours',
  backend: 'zookeeper',
  crashable: true,
  settings: `session timeout = max(${MIN_SESSION_MS} ms, TTL), server tick ${TICK_MS} ms; fenced SET in Redis`,
  recoveryBoundMs: (ttlMs) => sessionFor(ttlMs) + TICK_MS + RECOVERY_SLACK_MS,
  open({ redis, zookeeperConnect }) {
    if (!zookeeperConnect) throw new Error('the zookeeper contender needs ZOOKEEPER_CONNECT');
    const handles = new Map<number, Promise<LockBackendHandle>>();
    const handleFor = (ttlMs: number) => {
      const sessionTimeoutMs = sessionFor(ttlMs);
      let handle = handles.get(sessionTimeoutMs);
      if (!handle) {
        handle = createLockBackend(redis, {
          backend: 'zookeeper',
          zookeeperConnect,
          zookeeperSession: { sessionTimeoutMs },
        });
        handles.set(sessionTimeoutMs, handle);
      }
      return handle;
    };
    return {
      async acquire(resource, ttlMs) {
        const { lock } = await handleFor(ttlMs);
        const lease = await lock.acquire(resource);
        return {
          write: async (key, value) => {
            await lock.commit(lease, fencedCounterSet, [key], [value]);
          },
          release: async () => {
            await lock.release(lease);
          },
        };
      },
      async close() {
        await Promise.all([...handles.values()].map(async (h) => (await h).close()));
      },
    };
  },
};
