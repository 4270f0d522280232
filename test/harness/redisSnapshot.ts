import type { Redis } from 'ioredis';

/** One key as {@link redisSnapshot} records it. */
export interface KeySnapshot {
  type: string;
  /** Whether the key has a TTL (its value is rounded away: a TTL ticks down without any state changing). */
  expires: boolean;
  value: unknown;
}

/**
 * Every key of a (standalone) Redis, found with SCAN and read by its type: hash, sorted set (with
 * scores), set (sorted), list, string, stream. Two equal snapshots mean nothing was written in between.
 */
export async function redisSnapshot(redis: Redis): Promise<Record<string, KeySnapshot>> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== '0');
  const snapshot: Record<string, KeySnapshot> = {};
  for (const key of [...keys].sort()) {
    const type = await redis.type(key);
    snapshot[key] = { type, expires: (await redis.pttl(key)) >= 0, value: await readKey(redis, key, type) };
  }
  return snapshot;
}

async function readKey(redis: Redis, key: string, type: string): Promise<unknown> {
  switch (type) {
    case 'hash':
      return redis.hgetall(key);
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'set':
      return (await redis.smembers(key)).sort();
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'string':
      return redis.get(key);
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      return `<${type}>`; // gone between SCAN and TYPE ('none'), or a type the project never writes
  }
}
