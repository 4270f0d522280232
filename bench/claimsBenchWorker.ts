/**
 * One process of `npm run bench:claims`: `loops` concurrent loops send groups of `groupSize` fresh claims
 * to one hot packet for `durationMs`, through `processItems` (one lock per group) or the lock-free script
 * (one script per claim), and report claims decided and per-call latency.
 */
import { Redis } from 'ioredis';
import { createLockBackend, type LockBackend } from '../lib/lock/createLockBackend.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import { serveTasks } from './benchProcesses.ts';
import { claimLockFree } from './lockFreeClaim.ts';

export interface ClaimsTask {
  type: 'run';
  mode: 'lock-free' | 'locked';
  /** The packet lock of `locked` runs. @defaultValue `'redis-getset'` */
  backend?: LockBackend;
  packetId: string;
  loops: number;
  groupSize: number;
  durationMs: number;
}

export interface ClaimsReport {
  type: 'report';
  claims: number;
  paid: number;
  retries: number;
  /** Latency of each group: one processItems call (locked) or its scripts sent together (lock-free), ms. */
  latencies: number[];
}

async function run(task: ClaimsTask): Promise<ClaimsReport> {
  const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
  const backend = await createLockBackend(redis, {
    backend: task.backend ?? 'redis-getset',
    ...(process.env.ZOOKEEPER_CONNECT ? { zookeeperConnect: process.env.ZOOKEEPER_CONNECT } : {}),
  });
  const rp = createRedPackets(redis, { lock: backend.lock });
  const out: ClaimsReport = { type: 'report', claims: 0, paid: 0, retries: 0, latencies: [] };
  const stopAt = performance.now() + task.durationMs;
  let next = 0;
  const user = () => `${process.pid}-${next++}`;
  const loop = async () => {
    while (performance.now() < stopAt) {
      const users = Array.from({ length: task.groupSize }, user);
      const started = performance.now();
      if (task.mode === 'lock-free') {
        // The group's claims go out together (pipelined), one script each.
        const amounts = await claimLockFree(redis, task.packetId, users);
        out.latencies.push(performance.now() - started);
        out.claims += amounts.length;
        out.paid += amounts.filter((a) => a > 0).length;
        continue;
      }
      // The door records each claim before it is queued (the consumer pays only recorded claims); that
      // is the HTTP handler's cost, not the consumer's, so it is left out of the timing.
      await Promise.all(users.map((userId) => rp.recordClaim(task.packetId, userId)));
      const consumeStarted = performance.now();
      const outcomes = await rp.processItems(
        task.packetId,
        users.map((userId) => ({ kind: 'claim', userId })),
        {
          deadline: Date.now() + 30_000,
        },
      );
      out.latencies.push(performance.now() - consumeStarted);
      for (const o of outcomes) {
        if (o.status === 'retry') out.retries++;
        else out.claims++;
        if (o.status === 'paid') out.paid++;
      }
    }
  };
  await Promise.all(Array.from({ length: task.loops }, loop));
  await backend.close();
  redis.disconnect();
  return out;
}

serveTasks<ClaimsTask>(run);
