import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './freePort.ts';
import { type RedisServer, startRedisServer } from './redisServer.ts';

const run = promisify(execFile);

/** One node of a {@link RedisCluster}. */
export interface ClusterNode {
  readonly server: RedisServer;
  /** The node's cluster id (40 hex characters). */
  readonly id: string;
}

/** A Redis Cluster on loopback (every node with AOF), for tests and benchmarks. */
export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `127.0.0.1:p1,127.0.0.1:p2,…`: what `REDIS_URL` takes with `REDIS_MODE=cluster`. */
  readonly seeds: string;
  /** The node serving `slot` now as primary, and its replicas. */
  shardOf(slot: number): Promise<{ primary: ClusterNode; replicas: ClusterNode[] }>;
  /**
   * Moves `slot` from its primary to `to` the way `redis-cli --cluster reshard` does (IMPORTING / MIGRATING,
   * MIGRATE in batches of `batch` keys, then SETSLOT NODE on every primary), calling `between` after each
   * batch so a test can act while the slot is half-moved.
   */
  migrateSlot(
    slot: number,
    to: ClusterNode,
    options?: { batch?: number; between?: () => Promise<void> },
  ): Promise<void>;
  /** Resolves once every node reports `cluster_state:ok` with every slot served, and every replica is in sync. */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** @defaultValue 3 */
  primaries?: number;
  /** @defaultValue 1 */
  replicasPerPrimary?: number;
  /** `cluster-node-timeout`: how long a primary may be unreachable before its replica takes over. @defaultValue 1000 */
  nodeTimeoutMs?: number;
}

/**
 * Starts `primaries × (1 + replicasPerPrimary)` redis-servers with `--cluster-enabled yes` on free loopback
 * ports (each with its own free bus port), joins them with `redis-cli --cluster create`, and waits until
 * the cluster is healthy.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicas = options.replicasPerPrimary ?? 1;
  const nodeTimeout = options.nodeTimeoutMs ?? 1000;
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < primaries * (1 + replicas); i++) {
      const bus = await freePort();
      servers.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(nodeTimeout),
            '--cluster-port',
            String(bus),
            // A replica whose primary died takes over at once, however far behind it was (tests decide
            // what "behind" means by WAIT, not by this).
            '--cluster-replica-validity-factor',
            '0',
          ],
        }),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...servers.map((s) => `127.0.0.1:${s.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  const client = (server: RedisServer) => {
    const c = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    return c;
  };
  const withClient = async <T>(server: RedisServer, fn: (c: Redis) => Promise<T>): Promise<T> => {
    const c = client(server);
    try {
      return await fn(c);
    } finally {
      c.disconnect();
    }
  };
  const nodes: ClusterNode[] = [];
  for (const server of servers) {
    nodes.push({ server, id: String(await withClient(server, (c) => c.call('CLUSTER', 'MYID'))) });
  }
  const live = () => nodes.filter((n) => n.server.running);
  /** `CLUSTER NODES` as seen by `from`: id → { primaryId (or null), flags, slots }. */
  const view = async (from: ClusterNode) => {
    const text = String(await withClient(from.server, (c) => c.call('CLUSTER', 'NODES')));
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, , flags, master, , , , , ...slots] = line.split(' ');
        return { id: id ?? '', flags: flags ?? '', master: master === '-' ? null : (master ?? null), slots };
      });
  };
  const cluster: RedisCluster = {
    nodes,
    seeds: servers.map((s) => `127.0.0.1:${s.port}`).join(','),
    async shardOf(slot) {
      const [from] = live();
      if (!from) throw new Error('no node is running');
      const rows = await view(from);
      const owner = rows.find(
        (r) =>
          r.flags.includes('master') &&
          !r.flags.includes('fail') &&
          r.slots.some((range) => {
            if (range.startsWith('[')) return false;
            const [a, b] = range.split('-').map(Number);
            return slot >= (a ?? -1) && slot <= (b ?? a ?? -1);
          }),
      );
      const primary = nodes.find((n) => n.id === owner?.id);
      if (!primary) throw new Error(`no primary serves slot ${slot}`);
      const replicaIds = rows.filter((r) => r.master === primary.id).map((r) => r.id);
      return { primary, replicas: nodes.filter((n) => replicaIds.includes(n.id)) };
    },
    async migrateSlot(slot, to, opts = {}) {
      const { primary: from } = await cluster.shardOf(slot);
      if (from.id === to.id) return;
      const batch = opts.batch ?? 10;
      await withClient(to.server, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id));
      await withClient(from.server, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id));
      for (;;) {
        const keys = (await withClient(from.server, (c) =>
          c.call('CLUSTER', 'GETKEYSINSLOT', slot, batch),
        )) as string[];
        if (keys.length === 0) break;
        await withClient(from.server, (c) =>
          c.call('MIGRATE', '127.0.0.1', to.server.port, '', 0, 5000, 'KEYS', ...keys),
        );
        await opts.between?.();
      }
      for (const node of [to, from, ...live().filter((n) => n !== to && n !== from)]) {
        const rows = await view(node).catch(() => []);
        if (!rows.find((r) => r.id === node.id)?.flags.includes('master')) continue;
        await withClient(node.server, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id));
      }
    },
    async healthy(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          live().map((n) => withClient(n.server, (c) => c.call('CLUSTER', 'INFO')).then(String, () => '')),
        );
        if (states.every((s) => s.includes('cluster_state:ok') && s.includes('cluster_slots_ok:16384')))
          return;
        if (Date.now() > deadline) throw new Error(`cluster not healthy after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
  await cluster.healthy();
  return cluster;
}
