/**
 * The classic timestamp + GETSET scheme run from the client, the way it is usually written: SETNX, else
 * GET, and if expired GETSET; a loser puts back the value it displaced. Used only as the control of the
 * takeover-race test, to show that the race the test builds does break a client-side implementation.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const expiry = (value: string | null): number => Number(value?.split(':')[0] ?? 0);

export async function naiveTryAcquire(
  redis: Redis,
  resource: string,
  ttlMs: number,
): Promise<{ won: boolean; key: string; value: string }> {
  const key = `rp:{${resource}}:lock`;
  const value = `${Date.now() + ttlMs}:0:${randomBytes(16).toString('base64url')}`;
  if ((await redis.setnx(key, value)) === 1) return { won: true, key, value };
  if (expiry(await redis.get(key)) > Date.now()) return { won: false, key, value };
  const previous = await redis.getset(key, value);
  if (expiry(previous) <= Date.now()) return { won: true, key, value };
  // Lost the takeover to someone else: restore the value we displaced.
  if (previous !== null) await redis.set(key, previous);
  return { won: false, key, value };
}

/** Compare-and-delete, like the real release. */
export async function naiveRelease(redis: Redis, key: string, value: string): Promise<boolean> {
  const released = await redis.eval(
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
    1,
    key,
    value,
  );
  return released === 1;
}
