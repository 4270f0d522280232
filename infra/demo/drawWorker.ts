/**
 * One process of `npm run demo`: LOOPS concurrent claimers draw random shares ("double mean") from one
 * red packet until it is empty. MODE `none` reads and writes with no lock (what the seed article warns
 * about); `getset` / `set-nx-px` hold the lock around read → compute → fenced commit.
 */
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { createFencedScript, createRedisLock, type LockStrategy } from '../../lib/lock/index.ts';

const mode = process.env.MODE ?? 'none';
const loops = Number(process.env.LOOPS ?? 25);
const packet = process.env.PACKET ?? 'demo';
const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
const key = (name: string) => `demo:{${packet}}:${name}`;

/** Commit under the lock: relative deltas, never below zero; returns 1 applied, 0 refused (empty). */
const commit = createFencedScript<0 | 1>(`
local amount = tonumber(ARGV[3])
local remaining = tonumber(redis.call('GET', KEYS[2]))
local count = tonumber(redis.call('GET', KEYS[3]))
if count < 1 or remaining < amount then return 0 end
redis.call('DECRBY', KEYS[2], amount)
redis.call('DECR', KEYS[3])
redis.call('INCRBY', KEYS[4], amount)
redis.call('INCR', KEYS[5])
return 1
`);

/** A share by "double mean": uniform in [1, 2 × remaining / count], the last one takes the rest. */
function draw(remaining: number, count: number): number {
  if (count === 1) return remaining;
  return randomInt(1, Math.max(2, Math.floor((2 * remaining) / count)) + 1);
}

async function readState(): Promise<{ remaining: number; count: number }> {
  const [remaining, count] = await redis.mget(key('remaining'), key('count'));
  return { remaining: Number(remaining), count: Number(count) };
}

/** No lock: read, think, write back what we computed. Two claimers reading the same state both pay. */
async function claimUnlocked(): Promise<boolean> {
  const { remaining, count } = await readState();
  if (count < 1 || remaining < 1) return false;
  const amount = draw(remaining, count);
  await new Promise((resolve) => setImmediate(resolve));
  await redis
    .multi()
    .set(key('remaining'), remaining - amount)
    .set(key('count'), count - 1)
    .incrby(key('paid'), amount)
    .incr(key('payouts'))
    .exec();
  return true;
}

const lock = mode === 'none' ? undefined : createRedisLock(redis, { strategy: mode as LockStrategy });

async function claimLocked(): Promise<boolean> {
  if (!lock) throw new Error('no lock');
  return lock.using(packet, async (lease) => {
    const { remaining, count } = await readState();
    if (count < 1 || remaining < 1) return false;
    const amount = draw(remaining, count);
    await new Promise((resolve) => setImmediate(resolve));
    const keys = [key('remaining'), key('count'), key('paid'), key('payouts')];
    await commit.run(redis, lock.guard(lease), keys, [amount]);
    return true;
  });
}

const claim = lock ? claimLocked : claimUnlocked;
process.once('message', async () => {
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (await claim()) {
        // keep claiming until the packet is empty
      }
    }),
  );
  process.send?.({ type: 'done' });
  redis.disconnect();
});
process.send?.({ type: 'ready' });
