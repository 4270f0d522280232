/**
 * One process of `npm run bench:lock` and `bench:crash`. Throughput tasks run `loops` concurrent loops of a
 * locked, deliberately non-atomic increment (acquire, GET, SET, release: a broken lock loses updates) on
 * random resources of the task for `durationMs`. Crash tasks hold locks until this process is killed, or
 * wait for them and say when each was acquired.
 */
import { Redis } from 'ioredis';
import { countClientCommands, serveTasks } from './benchProcesses.ts';
import { contenderNamed, type OpenContender } from './contenders/index.ts';
import { type CrashReport, counterKey, type LockTask, type ThroughputReport } from './lockTask.ts';

/** Lease length in throughput cells: this project's default, far longer than any critical section here. */
const TTL_MS = 5000;

const epochNow = () => performance.timeOrigin + performance.now();
const sent = countClientCommands();

async function throughput(
  task: Extract<LockTask, { kind: 'throughput' }>,
  redis: Redis,
): Promise<ThroughputReport> {
  const contender = await contenderNamed(task.contender).open(context(redis));
  const sentBefore = sent();
  const report: ThroughputReport = {
    type: 'report',
    ops: 0,
    clientCommands: 0,
    opsInWindow: 0,
    failures: 0,
    waits: [],
    perLoop: Array.from({ length: task.loops }, () => 0),
  };
  const stopAt = performance.now() + task.durationMs;
  const pick = () => task.resources[Math.floor(Math.random() * task.resources.length)] as string;
  const loop = async (_: unknown, index: number) => {
    while (performance.now() < stopAt) {
      const resource = pick();
      try {
        const waited = await increment(contender, redis, resource);
        if (waited !== undefined) report.waits.push(waited);
      } catch {
        report.failures++;
        continue;
      }
      report.ops++;
      if (performance.now() <= stopAt) {
        report.opsInWindow++;
        report.perLoop[index] = (report.perLoop[index] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: task.loops }, loop));
  report.clientCommands = sent() - sentBefore;
  await contender.close();
  return report;
}

/** One increment: the contender's own form, or acquire, GET, SET, release. Resolves with the wait. */
async function increment(
  contender: OpenContender,
  redis: Redis,
  resource: string,
): Promise<number | undefined> {
  const key = counterKey(resource);
  if (contender.increment) return contender.increment(resource, key);
  const started = performance.now();
  const held = await contender.acquire(resource, TTL_MS);
  const waited = performance.now() - started;
  try {
    await held.write(key, Number((await redis.get(key)) ?? 0) + 1);
  } finally {
    await held.release();
  }
  return waited;
}

async function crash(task: Extract<LockTask, { kind: 'hold' | 'wait' }>, redis: Redis): Promise<CrashReport> {
  const report: CrashReport = { type: 'report', acquiredAt: [], giveUps: [] };
  await Promise.all(
    task.locks.map(async ({ contender: name, resource }, i) => {
      const contender = await contenderNamed(name).open(context(redis));
      report.giveUps[i] = 0;
      for (;;) {
        try {
          await contender.acquire(resource, task.ttlMs);
          report.acquiredAt[i] = epochNow();
          return; // held until this process is killed (hold) or exits (wait)
        } catch {
          report.giveUps[i] = (report.giveUps[i] ?? 0) + 1; // the backend's retry budget ran out: ask again
        }
      }
    }),
  );
  return report;
}

const context = (redis: Redis) => ({
  redis,
  redisUrl: process.env.REDIS_URL ?? '',
  ...(process.env.ZOOKEEPER_CONNECT ? { zookeeperConnect: process.env.ZOOKEEPER_CONNECT } : {}),
});

const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
serveTasks<LockTask>((task) => (task.kind === 'throughput' ? throughput(task, redis) : crash(task, redis)));
