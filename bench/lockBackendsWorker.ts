/**
 * One process of `npm run bench:backends`: `loops` concurrent loops of a locked read-modify-write of one
 * counter (lock mode) or of claim groups through `processItems` (claims mode), on the backend it is told,
 * for `durationMs`; reports operations per loop (for fairness) and every acquire wait / call latency.
 */
import { Redis } from 'ioredis';
import { createFencedScript, createLockBackend, type LockBackend } from '../lib/lock/index.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import { serveTasks } from './benchProcesses.ts';

export interface BackendTask {
  type: 'run';
  mode: 'lock' | 'claims';
  backend: LockBackend;
  /** `plain`: acquire, GET, fenced SET, release. `pipelined`: acquireAndRead + commit({release: true}). */
  form: 'plain' | 'pipelined';
  loops: number;
  durationMs: number;
  /** The counter's resource (lock mode) or the packet id (claims mode). */
  resource: string;
  groupSize: number;
}

export interface BackendReport {
  type: 'report';
  /** Completed operations (lock) or decided claims (claims) of each loop. */
  perLoop: number[];
  /** Acquire wait (lock) or processItems call latency (claims) of every operation, ms. */
  waits: number[];
  failures: number;
}

const fencedSet = createFencedScript<number>(`
redis.call('SET', KEYS[2], ARGV[3])
return fence
`);

async function run(task: BackendTask): Promise<BackendReport> {
  const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
  const { lock, close } = await createLockBackend(redis, {
    backend: task.backend,
    ...(process.env.ZOOKEEPER_CONNECT ? { zookeeperConnect: process.env.ZOOKEEPER_CONNECT } : {}),
    zookeeperLock: { waitMs: 60_000 },
    redisLock: { waitMs: 60_000 },
  });
  const rp = createRedPackets(redis, { lock });
  const report: BackendReport = { type: 'report', perLoop: [], waits: [], failures: 0 };
  const counter = `rp:{${task.resource}}:counter`;
  const stopAt = performance.now() + task.durationMs;
  let next = 0;
  const loop = async (index: number) => {
    report.perLoop[index] = 0;
    while (performance.now() < stopAt) {
      const started = performance.now();
      try {
        if (task.mode === 'claims') {
          const items = Array.from({ length: task.groupSize }, () => ({
            kind: 'claim',
            userId: `${process.pid}-${next++}`,
          }));
          // Recorded at the door first (the consumer pays only recorded claims); not part of the timing.
          await Promise.all(items.map((item) => rp.recordClaim(task.resource, item.userId)));
          const consumeStarted = performance.now();
          const outcomes = await rp.processItems(task.resource, items, { deadline: Date.now() + 60_000 });
          report.waits.push(performance.now() - consumeStarted);
          report.perLoop[index] += outcomes.filter((o) => o.status !== 'retry').length;
          report.failures += outcomes.filter((o) => o.status === 'retry').length;
        } else if (task.form === 'pipelined') {
          const { lease, replies } = await lock.acquireAndRead(task.resource, (p) => p.get(counter));
          report.waits.push(performance.now() - started);
          await lock.commit(lease, fencedSet, [counter], [Number(replies[0] ?? 0) + 1], { release: true });
          report.perLoop[index]++;
        } else {
          const lease = await lock.acquire(task.resource);
          report.waits.push(performance.now() - started);
          try {
            const value = Number((await redis.get(counter)) ?? 0);
            await lock.commit(lease, fencedSet, [counter], [value + 1]);
            report.perLoop[index]++;
          } finally {
            await lock.release(lease);
          }
        }
      } catch {
        report.failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: task.loops }, (_, i) => loop(i)));
  await close();
  redis.disconnect();
  return report;
}

serveTasks<BackendTask>(run);
