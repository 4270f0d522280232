import { afterAll, beforeAll } from 'vitest';
import {
  type RedisCluster,
  type RedisClusterOptions,
  startRedisCluster,
} from '../../infra/local/redisCluster.ts';
import type { RedisClient } from '../../lib/packets/index.ts';
import { createRedisClient } from '../../lib/runtime/redisClient.ts';

/** A private Redis Cluster for one test file, and cluster clients closed with it. */
export interface RedisClusterFixture {
  readonly cluster: RedisCluster;
  /** A new ioredis `Cluster` on the fixture's seeds (fails fast while a node is down). */
  client(): RedisClient;
}

export function useRedisCluster(options: RedisClusterOptions = {}): RedisClusterFixture {
  let cluster: RedisCluster | undefined;
  const clients: RedisClient[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster(options);
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
  }, 30_000);
  const need = () => {
    if (!cluster) throw new Error('useRedisCluster(): not started yet (call inside a test)');
    return cluster;
  };
  return {
    get cluster() {
      return need();
    },
    client() {
      const c = createRedisClient({ url: need().seeds, mode: 'cluster' }, { maxRetriesPerRequest: 1 });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
  };
}
