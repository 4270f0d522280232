/**
 * A process that takes ZooKeeper locks on the test's command (FIFO, herd, crash and stale-holder tests).
 * Env: REDIS_URL, ZOOKEEPER_CONNECT, ZOOKEEPER_SESSION_TIMEOUT_MS, LOCK_BACKEND (`zookeeper`, or
 * `redis-getset` for the Redis FIFO test and its control). Reports `queued` (its znode exists) and `watch` events as they
 * happen, and one reply per command.
 */
import { Redis } from 'ioredis';
import { CreateMode } from 'node-zookeeper-client';
import { createLockBackend, type Lease, type LockBackend, LockLostError } from '../../lib/lock/index.ts';
import { ZooKeeperSession } from '../../lib/lock/zookeeper/index.ts';
import type { WorkerMessage } from '../harness/spawnWorker.ts';
import { type CommandHandlers, report, serveCommands } from '../harness/workerRuntime.ts';
import { fencedPush, fencedSet } from './testScripts.ts';

const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
const connect = process.env.ZOOKEEPER_CONNECT ?? '';
const sessionTimeoutMs = Number(process.env.ZOOKEEPER_SESSION_TIMEOUT_MS ?? 2000);
const backend = (process.env.LOCK_BACKEND ?? 'zookeeper') as LockBackend;
let watches = 0;
const { lock } = await createLockBackend(redis, {
  backend,
  zookeeperConnect: connect,
  zookeeperSession: { sessionTimeoutMs },
  zookeeperLock: {
    onEvent(event) {
      if (event.type === 'queued') report({ type: 'queued', node: event.node });
      if (event.type === 'watch-fired') {
        watches++;
        report({ type: 'watch', node: event.node, predecessor: event.predecessor });
      }
    },
  },
});
/** A second session for the raw-client controls (the naive recipe, a persistent node). */
const raw = new ZooKeeperSession(connect, { sessionTimeoutMs });
const leases = new Map<string, Lease>();
const resourceNode = (resource: string) => `/locks/${encodeURIComponent(resource)}`;

const handlers: CommandHandlers = {
  /** Acquire and keep the lease as `id`. */
  async hold(m) {
    const lease = await lock.acquire(String(m.resource), { waitMs: Number(m.waitMs ?? 30_000) });
    leases.set(String(m.id), lease);
    return { type: 'acquired', id: m.id, fence: lease.fence, at: Date.now() };
  },
  /** Acquire, append `id` to the order list with a fenced write, release in the same commit. */
  async enqueue(m) {
    if (backend !== 'zookeeper') report({ type: 'queued', node: String(m.id) });
    const lease = await lock.acquire(String(m.resource), { waitMs: 30_000 });
    await lock.commit(lease, fencedPush, [String(m.key)], [String(m.id)], { release: true });
    return { type: 'enqueued', id: m.id };
  },
  /** The FIFO control: single tries with random pauses (never in the lock's line), then as `enqueue`. */
  async pollEnqueue(m) {
    report({ type: 'queued', node: String(m.id) });
    for (;;) {
      const lease = await lock.tryAcquire(String(m.resource));
      if (lease) {
        await lock.commit(lease, fencedPush, [String(m.key)], [String(m.id)], { release: true });
        return { type: 'enqueued', id: m.id };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
    }
  },
  async extend(m) {
    const lease = need(m);
    leases.set(String(m.id), await lock.extend(lease));
    return { type: 'extended', id: m.id, at: Date.now() };
  },
  async release(m) {
    const ok = await lock.release(need(m));
    return { type: 'released', id: m.id, ok };
  },
  /** A fenced SET through the script directly: only the Redis-side fence check can refuse it. */
  async fencedWrite(m) {
    try {
      await fencedSet.run(redis, lock.guard(need(m)), [String(m.key)], [String(m.value)]);
      return { type: 'written', ok: true };
    } catch (error) {
      if (!(error instanceof LockLostError)) throw error;
      return { type: 'written', ok: false, error: error.name, reason: error.reason };
    }
  },
  async stats() {
    return { type: 'stats', watches };
  },
  /**
   * The control of the herd test: the naive recipe, where every waiter watches the children list and
   * lists again on every change. Counts the watch events of its waiters.
   */
  async naiveHold(m) {
    const { client } = await raw.current();
    const parent = resourceNode(String(m.resource));
    const path = await call<string>((cb) =>
      client.create(`${parent}/lock-naive-`, Buffer.alloc(0), CreateMode.EPHEMERAL_SEQUENTIAL, cb),
    );
    report({ type: 'queued', node: path });
    const name = path.slice(parent.length + 1);
    for (;;) {
      let changed: () => void = () => {};
      const change = new Promise<void>((resolve) => {
        changed = resolve;
      });
      const children = await call<string[]>((cb) =>
        client.getChildren(
          parent,
          () => {
            watches++;
            report({ type: 'watch', node: name });
            changed();
          },
          cb,
        ),
      );
      const lowest = [...children].sort((a, b) => Number(a.slice(-10)) - Number(b.slice(-10)))[0];
      if (lowest === name) return { type: 'acquired', id: m.id, at: Date.now() };
      await change;
    }
  },
  /** The control of the crash test: a lock znode that is PERSISTENT, so it outlives this process. */
  async persistentHold(m) {
    const { client } = await raw.current();
    const parent = resourceNode(String(m.resource));
    await call<string>((cb) => client.mkdirp(parent, cb));
    await call<string>((cb) =>
      client.create(`${parent}/lock-persistent-`, Buffer.alloc(0), CreateMode.PERSISTENT_SEQUENTIAL, cb),
    );
    return { type: 'acquired', id: m.id, at: Date.now() };
  },
};

function need(m: WorkerMessage): Lease {
  const lease = leases.get(String(m.id));
  if (!lease) throw new Error(`no lease ${String(m.id)}`);
  return lease;
}

function call<T>(start: (cb: (error: unknown, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    start((error, result) => (error ? reject(error) : resolve(result))),
  );
}

serveCommands(handlers);
