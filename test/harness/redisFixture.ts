import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from '../../infra/local/redisServer.ts';
import { killAllWorkers } from './spawnWorker.ts';

/** A private Redis for one test file, plus clients that are closed after each test. */
export interface RedisFixture {
  readonly server: RedisServer;
  readonly url: string;
  /** A new ioredis connection, closed after the current test. */
  client(options?: RedisOptions): Redis;
}

/**
 * Starts a private redis-server (free loopback port, AOF unless `persistence: 'none'`) for the calling test
 * file; after each test, kills leftover workers, closes clients and empties the server (restarting it if a
 * test stopped it).
 */
export function useRedis(options: Pick<RedisServerOptions, 'persistence'> = {}): RedisFixture {
  let server: RedisServer | undefined;
  const clients = new Set<Redis>();
  beforeAll(async () => {
    server = await startRedisServer(options);
  });
  afterEach(async () => {
    await killAllWorkers();
    for (const c of clients) c.disconnect();
    clients.clear();
    if (!server) return;
    if (!server.running) await server.restart();
    const admin = new Redis(server.url, { lazyConnect: true });
    await admin.connect();
    await admin.flushall();
    admin.disconnect();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const need = (): RedisServer => {
    if (!server) throw new Error('useRedis(): the server is not started yet (call inside a test)');
    return server;
  };
  return {
    get server() {
      return need();
    },
    get url() {
      return need().url;
    },
    client(options = {}) {
      const c = new Redis(need().url, { maxRetriesPerRequest: 1, ...options });
      c.on('error', () => {}); // tests that kill the server expect connection errors; commands still reject
      clients.add(c);
      return c;
    },
  };
}
