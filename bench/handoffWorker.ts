/**
 * One process of `npm run bench:handoff`, shaped like one Lambda container: one batch in flight at a time.
 * Each round records `groupSize` fresh claims at the door, then decides them through `processItems` (one
 * lock hold per group) or, for the baseline, the lock-free script (one script per claim, pipelined). It
 * reports the claims, the time of every lock acquisition and release as this process saw them (to measure
 * the hand-over gap between processes), and the Redis commands its clients sent while deciding.
 */
import { Redis } from 'ioredis';
import { createLockBackend } from '../lib/lock/createLockBackend.ts';
import type { DistributedLock } from '../lib/lock/index.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import { countClientCommands, serveTasks } from './benchProcesses.ts';
import { claimLockFree } from './lockFreeClaim.ts';

export interface HandoffTask {
  type: 'run';
  mode: 'lock-free' | 'locked';
  packetId: string;
  groupSize: number;
  durationMs: number;
}

export interface HandoffReport {
  type: 'report';
  claims: number;
  retries: number;
  /** Epoch ms (sub-millisecond) at which each lock hold began and ended, as this process saw them. */
  holds: Array<[acquiredAt: number, releasedAt: number]>;
  /** Commands this process's clients sent while deciding (the door's recording left out). */
  commands: number;
}

const epochNow = () => performance.timeOrigin + performance.now();

const sent = countClientCommands();

/** `lock` with every acquisition and release stamped into `holds`. */
function observed(lock: DistributedLock, holds: HandoffReport['holds']): DistributedLock {
  let acquiredAt = 0;
  return new Proxy(lock, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'acquireAndRead') {
        return async (...args: Parameters<DistributedLock['acquireAndRead']>) => {
          const result = await target.acquireAndRead(...args);
          acquiredAt = epochNow();
          return result;
        };
      }
      if (property === 'commit') {
        return async (...args: Parameters<DistributedLock['commit']>) => {
          try {
            return await target.commit(...args);
          } finally {
            if (args[4]?.release) holds.push([acquiredAt, epochNow()]);
          }
        };
      }
      return value.bind(target);
    },
  });
}

async function run(task: HandoffTask): Promise<HandoffReport> {
  const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
  const { lock, close } = await createLockBackend(redis, { backend: 'redis-getset' });
  const out: HandoffReport = { type: 'report', claims: 0, retries: 0, holds: [], commands: 0 };
  const rp = createRedPackets(redis, { lock: observed(lock, out.holds) });
  const stopAt = performance.now() + task.durationMs;
  let next = 0;
  while (performance.now() < stopAt) {
    const users = Array.from({ length: task.groupSize }, () => `${process.pid}-${next++}`);
    if (task.mode === 'lock-free') {
      const before = sent();
      const amounts = await claimLockFree(redis, task.packetId, users);
      out.commands += sent() - before;
      out.claims += amounts.length;
      continue;
    }
    await Promise.all(users.map((userId) => rp.recordClaim(task.packetId, userId)));
    const before = sent();
    const outcomes = await rp.processItems(
      task.packetId,
      users.map((userId) => ({ kind: 'claim', userId })),
      { deadline: Date.now() + 30_000 },
    );
    out.commands += sent() - before;
    for (const o of outcomes) {
      if (o.status === 'retry') out.retries++;
      else out.claims++;
    }
  }
  await close();
  redis.disconnect();
  return out;
}

serveTasks<HandoffTask>(run);
