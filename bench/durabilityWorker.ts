/**
 * One process of `npm run bench:durability`: `loops` concurrent loops, each taking a random packet of
 * `packets` and a group of `groupSize` fresh users, then doing what the pipeline does for them: the door's
 * durable record (recordClaim + confirmDurable, one claim at a time) and the consumer's group
 * (processItems: lock, decide, fenced commit, WAIT). Reports claims decided and the latencies of both.
 */
import { createRedisLock } from '../lib/lock/index.ts';
import { confirmDurable } from '../lib/packets/confirmDurable.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import { createRedisClient } from '../lib/runtime/redisClient.ts';
import { serveTasks } from './benchProcesses.ts';

export interface DurabilityTask {
  type: 'run';
  redisUrl: string;
  redisMode: 'standalone' | 'cluster';
  minReplicas: number;
  packets: string[];
  loops: number;
  groupSize: number;
  durationMs: number;
}

export interface DurabilityReport {
  type: 'report';
  claims: number;
  retries: number;
  /** One claim at the door (record + WAIT), ms. */
  door: number[];
  /** One group at the consumer (processItems), ms. */
  consumer: number[];
}

async function run(task: DurabilityTask): Promise<DurabilityReport> {
  const redis = createRedisClient({ url: task.redisUrl, mode: task.redisMode }, { maxRetriesPerRequest: 1 });
  const rp = createRedPackets(redis, {
    lock: createRedisLock(redis),
    durability: { minReplicas: task.minReplicas, waitTimeoutMs: 1000 },
  });
  const out: DurabilityReport = { type: 'report', claims: 0, retries: 0, door: [], consumer: [] };
  const stopAt = performance.now() + task.durationMs;
  let next = 0;
  const loop = async () => {
    while (performance.now() < stopAt) {
      const packetId = task.packets[Math.floor(Math.random() * task.packets.length)] as string;
      const users = Array.from({ length: task.groupSize }, () => `${process.pid}-${next++}`);
      for (const userId of users) {
        const started = performance.now();
        await rp.recordClaim(packetId, userId);
        await confirmDurable(rp.context, packetId);
        out.door.push(performance.now() - started);
      }
      const started = performance.now();
      const outcomes = await rp.processItems(
        packetId,
        users.map((userId) => ({ kind: 'claim', userId })),
        { deadline: Date.now() + 30_000 },
      );
      out.consumer.push(performance.now() - started);
      for (const o of outcomes) {
        if (o.status === 'retry') out.retries++;
        else out.claims++;
      }
    }
  };
  await Promise.all(Array.from({ length: task.loops }, loop));
  redis.disconnect();
  return out;
}

serveTasks<DurabilityTask>(run);
