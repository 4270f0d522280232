import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from '../packets/index.ts';

/** How to reach the Redis that holds the packets. */
export interface RedisConnection {
  /**
   * `standalone`: one URL (`redis://` or `rediss://`), a single node or the primary endpoint of a replicated
   * group. `cluster`: one or more comma-separated seed nodes (URLs or `host:port`; a configuration endpoint
   * of ElastiCache or MemoryDB works); user, password and TLS come from the first URL, else from `options`
   * (credentials read from Secrets Manager).
   */
  url: string;
  mode: 'standalone' | 'cluster';
}

/** A standalone Redis URL, or a comma-separated list of cluster seed nodes (`redis://h:p` or `h:p`). */
export const REDIS_URL_PATTERN = /^rediss?:\/\/[^\s,]+$/;
export const CLUSTER_SEEDS_PATTERN = /^((rediss?:\/\/)?[^\s,]+:\d+)(,(rediss?:\/\/)?[^\s,]+:\d+)*$/;

/**
 * The client for `connection`: an ioredis `Redis`, or an ioredis `Cluster` (which follows MOVED and ASK
 * redirections, retries TRYAGAIN during slot migrations and CLUSTERDOWN during failovers, and refreshes
 * the slot map). `options` apply to every node's connection.
 */
export function createRedisClient(connection: RedisConnection, options: RedisOptions = {}): RedisClient {
  if (connection.mode === 'standalone') return new Redis(connection.url, options);
  const urls = connection.url
    .split(',')
    .map((seed) => new URL(seed.includes('://') ? seed : `redis://${seed}`));
  const seeds = urls.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) }));
  const first = urls[0];
  const tls = first?.protocol === 'rediss:';
  // Connecting and reconnecting are the cluster's business; the rest applies to each node's connection.
  const { lazyConnect, retryStrategy, ...nodeOptions } = options;
  return new Cluster(seeds, {
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    redisOptions: {
      ...nodeOptions,
      ...(first?.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first?.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(tls ? { tls: {} } : {}),
    },
    // TLS certificates name the configuration endpoint, not the nodes' IPs (ElastiCache's guidance).
    ...(tls
      ? { dnsLookup: (address: string, callback: (e: null, a: string) => void) => callback(null, address) }
      : {}),
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 50,
    maxRedirections: 16,
    slotsRefreshTimeout: 2000,
  });
}
