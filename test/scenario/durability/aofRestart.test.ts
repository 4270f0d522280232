import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../../../infra/local/redisServer.ts';
import { createRedisLock } from '../../../lib/lock/index.ts';
import { createRedPackets, type RedPackets } from '../../../lib/packets/index.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { startPipeline } from '../../harness/pipelineDriver.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { settled, storedPayout } from '../../harness/settled.ts';

const sqs = useQueue({ visibilityTimeoutSeconds: 1 });

/**
 * Claims (through the door) and a batch (through submission) in flight, consumers running; once the
 * consumers have acknowledged some payouts, Redis is SIGKILLed and restarted from its own files. Nothing is
 * rebuilt by hand: the pipeline carries on by itself (clients retry, SQS redelivers).
 */
async function crashMidRun(persistence: 'aof' | 'none') {
  const server = await startRedisServer({ persistence });
  const redis = new Redis(server.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  redis.on('error', () => {});
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  const rp: RedPackets = createRedPackets(redis, { lock: createRedisLock(redis, { ttlMs: 1000 }) });
  const claims = (await fundedPacket(rp, { totalAmount: 100_000, count: 150 })).packetId;
  const batch = (await fundedPacket(rp, { totalAmount: 100_000, count: 200 })).packetId;
  const queues = await sqs.freshQueues();
  const pipeline = startPipeline(sqs, queues, () => rp);
  try {
    const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
    const rows = Array.from({ length: 150 }, (_, i) => ({ userId: `w${i}`, amount: 100 }));
    const claiming = pipeline.claim(claims, users, 4).catch((e: unknown) => e);
    const submitting = pipeline.submit(batch, rows).catch((e: unknown) => e);
    const deadline = Date.now() + 20_000;
    while (pipeline.acknowledged().size < 30 && Date.now() < deadline) await sleep(10);
    const ackedBeforeKill = new Map(pipeline.acknowledged());
    await server.kill('SIGKILL');
    await sleep(300);
    await server.restart();
    const [accepted] = await Promise.all([claiming, submitting]);
    return { server, redis, rp, pipeline, claims, batch, ackedBeforeKill, accepted };
  } catch (error) {
    await pipeline.stop();
    redis.disconnect();
    await server.stop();
    throw error;
  }
}

describe('a single Redis node with AOF, SIGKILLed mid-run and restarted from its own files', () => {
  it('keeps every acknowledged payout; every 202 ends paid or rejected; nobody is paid twice; reconcile is clean', async () => {
    const run = await crashMidRun('aof');
    try {
      expect(run.accepted).toBeInstanceOf(Set); // the door answered every client in the end
      const accepted = run.accepted as Set<string>;
      await settled(run.rp, { [run.claims]: [...accepted] }, [run.batch], 60_000);
      const acked = run.pipeline.acknowledged();

      expect(run.ackedBeforeKill.size).toBeGreaterThan(0); // the kill came mid-run …
      expect(acked.size).toBeGreaterThan(run.ackedBeforeKill.size); // … and the run went on after it
      for (const [key, amount] of acked) expect(await storedPayout(run.rp, key)).toBe(amount);
      for (const packetId of [run.claims, run.batch]) {
        const report = await run.rp.reconcile(packetId);
        expect(report.discrepancies).toEqual([]);
      }
      expect((await run.rp.reconcile(run.claims)).paidCount).toBe(150); // more claimers than shares
      expect((await run.rp.reconcile(run.batch)).paidCount).toBe(150); // every row
    } finally {
      await run.pipeline.stop();
      run.redis.disconnect();
      await run.server.stop();
    }
  }, 90_000);

  it('control: the same crash without persistence loses acknowledged payouts, and the harness sees it', async () => {
    const run = await crashMidRun('none');
    try {
      const lost = [];
      for (const [key, amount] of run.ackedBeforeKill) {
        if ((await storedPayout(run.rp, key)) !== amount) lost.push(key);
      }
      expect(run.ackedBeforeKill.size).toBeGreaterThan(0);
      expect(lost.length).toBe(run.ackedBeforeKill.size); // everything: the packets themselves are gone
    } finally {
      await run.pipeline.stop();
      run.redis.disconnect();
      await run.server.stop();
    }
  }, 60_000);
});
