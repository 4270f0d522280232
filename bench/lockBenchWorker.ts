/**
 * One process of `npm run bench:lock`: runs `loops` concurrent loops of locked read-modify-write (acquire,
 * GET, fenced SET, release) or the lock-free script, for `durationMs`, and reports what it measured.
 */
import { Redis } from 'ioredis';
import { createRedisLock, createScript, type LockStrategy } from '../lib/lock/index.ts';
import { fencedSet } from '../test/workers/testScripts.ts';
import { serveTasks } from './benchProcesses.ts';

/**
 * `lock-free`: the baseline script. `<strategy>`: the textbook four round trips per operation (acquire,
 * GET, fenced SET, release). `<strategy>+pipelined`: two (acquire with the GET in the same pipeline;
 * fenced SET that also releases), the way the payout pipeline uses the lock.
 */
export type BenchMode = 'lock-free' | LockStrategy | `${LockStrategy}+pipelined`;

export interface BenchTask {
  type: 'run';
  mode: BenchMode;
  loops: number;
  durationMs: number;
  resource: string;
  lockOptions?: Record<string, unknown>;
}

export interface BenchReport {
  type: 'report';
  ops: number;
  /** Acquire wait of every operation, ms. */
  waits: number[];
  takeovers: number;
  refused: number;
  roundTrips: number;
}

/** Read-modify-write of the counter in one atomic script: the throughput ceiling. */
const lockFreeIncrement = createScript<number>(`
local value = (tonumber(redis.call('GET', KEYS[1])) or 0) + 1
redis.call('SET', KEYS[1], value)
return value
`);

async function run(task: BenchTask): Promise<BenchReport> {
  const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
  const counter = `bench:{${task.resource}}:counter`;
  const report: BenchReport = { type: 'report', ops: 0, waits: [], takeovers: 0, refused: 0, roundTrips: 0 };
  const [strategy, pipelined] = task.mode.split('+') as [LockStrategy | 'lock-free', string | undefined];
  const lock =
    strategy === 'lock-free' ? undefined : createRedisLock(redis, { strategy, ...task.lockOptions });
  const stopAt = performance.now() + task.durationMs;
  const loop = async () => {
    while (performance.now() < stopAt) {
      if (!lock) {
        await lockFreeIncrement.run(redis, [counter], []);
        report.roundTrips += 1;
        report.ops++;
        continue;
      }
      const started = performance.now();
      if (pipelined) {
        const { lease, replies } = await lock.acquireAndRead(task.resource, (p) => p.get(counter), {
          waitMs: 60_000,
        });
        report.waits.push(performance.now() - started);
        if (lease.takeover) report.takeovers++;
        const value = Number(replies[0] ?? 0);
        await lock.commit(lease, fencedSet, [counter], [value + 1], { release: true }).then(
          () => report.ops++,
          () => report.refused++,
        );
        report.roundTrips += 2; // plus one per failed acquire attempt, counted by the server
        continue;
      }
      const lease = await lock.acquire(task.resource, { waitMs: 60_000 });
      report.waits.push(performance.now() - started);
      if (lease.takeover) report.takeovers++;
      try {
        const value = Number((await redis.get(counter)) ?? 0);
        await lock.commit(lease, fencedSet, [counter], [value + 1]);
        report.ops++;
      } catch {
        report.refused++;
      } finally {
        await lock.release(lease);
      }
      report.roundTrips += 4; // plus one per failed acquire attempt, counted by the server
    }
  };
  await Promise.all(Array.from({ length: task.loops }, loop));
  redis.disconnect();
  return report;
}

serveTasks<BenchTask>(run);
