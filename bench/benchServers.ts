import { Redis } from 'ioredis';
import { startRedisServer } from '../infra/local/redisServer.ts';
import { startZooKeeperServer } from '../infra/local/zookeeperServer.ts';

/** The private servers a bench runs against (never the system Redis), and a Redis admin connection. */
export interface BenchServers {
  readonly redisUrl: string;
  /** `host:port/chroot` of the private ZooKeeper, or undefined when it could not be started. */
  readonly zookeeperConnect: string | undefined;
  /** Why ZooKeeper is missing, when it is. */
  readonly zookeeperMissing: string | undefined;
  readonly admin: Redis;
  /** Environment for worker processes. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server and, when `zookeeper` is true, a private standalone ZooKeeper; a ZooKeeper
 * that cannot start (no Java, no jars) is reported, not fatal, so the Redis rows still run.
 */
export async function startBenchServers(options: { zookeeper: boolean }): Promise<BenchServers> {
  // Lock benchmarks compare algorithms on one server: memory only, as their published figures were taken.
  const redis = await startRedisServer({ persistence: 'none' });
  let zookeeper: Awaited<ReturnType<typeof startZooKeeperServer>> | undefined;
  let zookeeperMissing: string | undefined;
  if (options.zookeeper) {
    try {
      zookeeper = await startZooKeeperServer();
    } catch (error) {
      zookeeperMissing = error instanceof Error ? error.message : String(error);
    }
  }
  const zookeeperConnect = zookeeper ? `${zookeeper.connectString}/bench` : undefined;
  const admin = new Redis(redis.url);
  return {
    redisUrl: redis.url,
    zookeeperConnect,
    zookeeperMissing,
    admin,
    env: { REDIS_URL: redis.url, ...(zookeeperConnect ? { ZOOKEEPER_CONNECT: zookeeperConnect } : {}) },
    async stop() {
      admin.disconnect();
      await Promise.all([redis.stop(), zookeeper?.stop()]);
    },
  };
}
