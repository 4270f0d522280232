import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from './redisServer.ts';

/** A primary and one replica on loopback, as ElastiCache or Sentinel would run them, for failover tests. */
export interface RedisReplicaSet {
  /** The current primary (after `failover()`, the promoted replica). */
  readonly primary: RedisServer;
  /** The current replica (after `failover()`, a fresh one of the new primary). */
  readonly replica: RedisServer;
  /** Resolves once the replica is connected and has every write the primary has. */
  synced(timeoutMs?: number): Promise<void>;
  /** Cuts replication (see {@link cutReplication}); `failover()` wakes the replica. */
  cut(): Promise<void>;
  /**
   * The failover: the primary is SIGKILLed, the replica promoted (`REPLICAOF NO ONE`), and, as a managed
   * service replaces a failed node, a new empty replica is attached to it (the promotion itself is not
   * delayed by that: `synced()` tells when the new replica has caught up).
   */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

const admin = (server: RedisServer) => {
  const c = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  c.on('error', () => {});
  return c;
};
/**
 * Cuts replication between `primary` and `replica` for good: the replica is frozen (SIGSTOP) and the
 * primary drops its link (`CLIENT KILL TYPE replica`), so nothing the primary writes from now on reaches
 * it, however small (freezing alone is not enough: the replication stream then waits in socket buffers and
 * arrives when the replica wakes). The replica keeps what it had; SIGCONT wakes it.
 */
export async function cutReplication(primary: RedisServer, replica: RedisServer): Promise<void> {
  replica.signal('SIGSTOP');
  const p = admin(primary);
  try {
    await p.call('CLIENT', 'KILL', 'TYPE', 'replica');
  } finally {
    p.disconnect();
  }
}

const replicaOf = (primary: RedisServer) =>
  startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });

/**
 * Starts a primary (AOF) and a replica of it (`--replicaof`), each on a free loopback port, and waits for
 * the replica's first sync.
 */
export async function startRedisReplicaSet(): Promise<RedisReplicaSet> {
  let primary = await startRedisServer();
  let replica = await replicaOf(primary);
  const retired: RedisServer[] = [];
  const set: RedisReplicaSet = {
    get primary() {
      return primary;
    },
    get replica() {
      return replica;
    },
    async synced(timeoutMs = 10_000) {
      const [p, r] = [admin(primary), admin(replica)];
      try {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [pi, ri] = await Promise.all([p.info('replication'), r.info('replication')]);
          const offset = (info: string, field: string) =>
            Number(new RegExp(`${field}:(\\d+)`).exec(info)?.[1]);
          const up = /master_link_status:up/.test(ri);
          if (up && offset(ri, 'slave_repl_offset') >= offset(pi, 'master_repl_offset')) return;
          if (Date.now() > deadline) throw new Error(`replica not in sync after ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        p.disconnect();
        r.disconnect();
      }
    },
    cut: () => cutReplication(primary, replica),
    async failover() {
      await primary.kill('SIGKILL');
      replica.signal('SIGCONT'); // in case a test froze it
      const r = admin(replica);
      try {
        await r.replicaof('NO', 'ONE');
      } finally {
        r.disconnect();
      }
      retired.push(primary);
      primary = replica;
      replica = await replicaOf(primary);
    },
    async stop() {
      await Promise.all([replica, primary, ...retired].map((s) => s.stop()));
    },
  };
  await set.synced();
  return set;
}
