import { afterEach, describe, expect, it } from 'vitest';
import { type SqsTap, startSqsTap } from '../../../bench/sqsTap.ts';
import { withoutReservations } from '../../../bench/withoutReservations.ts';
import { createRedPackets } from '../../../lib/packets/index.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { settled } from '../../harness/settled.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';

const redis = useRedis();
const sqs = useQueue();
const PROCESSES = 4;
const USERS = 10_000;
const COUNT = 100;
const CONCURRENCY = 50; // requests in flight per process

interface Done extends WorkerMessage {
  accepted: Array<{ claimId: string; shareHeld: boolean }>;
  exhausted: number;
  failed: number;
}

let tap: SqsTap | undefined;
afterEach(async () => {
  await tap?.close();
  tap = undefined;
});

/**
 * USERS distinct users rush the door of a COUNT-share packet from PROCESSES processes (the real accept
 * path against the real Redis, sending to the emulator through a tap that counts what the queue received)
 * while the real consumer drains the queue; waits until every 202 is decided. `door: 'without
 * reservations'` is the control: the door as it was (bench/withoutReservations.ts).
 */
async function rush(door: 'reserving' | 'without reservations') {
  const rp = createRedPackets(redis.client());
  const { packetId } = await fundedPacket(rp, { totalAmount: 100_000, count: COUNT });
  const restore =
    door === 'reserving' ? async () => undefined : await withoutReservations(redis.client(), packetId);
  const { queues } = await sqs.freshQueues();
  tap = await startSqsTap(sqs.endpoint);
  const workers = Array.from({ length: PROCESSES }, (_, i) =>
    spawnWorker('claimRushWorker', {
      REDIS_URL: redis.url,
      SQS_ENDPOINT: tap?.endpoint ?? '',
      QUEUE_URL: queues.queueUrl,
      PACKET: packetId,
      FIRST: String((i * USERS) / PROCESSES),
      COUNT: String(USERS / PROCESSES),
      CONCURRENCY: String(CONCURRENCY),
    }),
  );
  await Promise.all(workers.map((w) => w.next('ready')));
  const consumer = sqs.consume(rp, queues.queueUrl);
  for (const w of workers) w.send({ type: 'go' });
  const done = await Promise.all(workers.map((w) => w.next<Done>('done', 120_000)));
  const accepted = done.flatMap((d) => d.accepted);
  await settled(rp, { [packetId]: accepted.map((a) => a.claimId) }, [], 120_000);
  await consumer.stop();
  await restore();
  const outcomes = await Promise.all(accepted.map((a) => rp.readClaim(a.claimId)));
  return {
    accepted: accepted.length,
    shareHeld: accepted.filter((a) => a.shareHeld).length,
    exhausted: done.reduce((n, d) => n + d.exhausted, 0),
    failed: done.reduce((n, d) => n + d.failed, 0),
    paid: outcomes.filter((o) => o?.status === 'paid').length,
    rejectedAfter202: outcomes.filter((o) => o?.status === 'rejected').length,
    // Claim messages of this packet the emulator accepted (SendMessage and batch entries).
    messages: tap.count((body) => body.includes(packetId)).sent,
    report: await rp.reconcile(packetId),
  };
}

describe(`a rush: ${USERS} distinct users, ${PROCESSES} processes × ${CONCURRENCY} in flight, on a ${COUNT}-share packet`, () => {
  it('exactly COUNT × 202 and the rest 410 at once; every 202 paid, none rejected after it; the queue received one message per share; reconcile clean', async () => {
    const run = await rush('reserving');

    expect(run.failed).toBe(0);
    expect(run.accepted).toBe(COUNT);
    expect(run.shareHeld).toBe(COUNT);
    expect(run.exhausted).toBe(USERS - COUNT);
    expect(run.paid).toBe(COUNT);
    expect(run.rejectedAfter202).toBe(0);
    expect(run.messages).toBeLessThanOrEqual(COUNT); // at most one per share (the sweeper sent no copy)
    expect(run.messages).toBeGreaterThan(0); // the tap did see the sends
    expect(run.report.discrepancies).toEqual([]);
    expect(run.report).toMatchObject({ ok: true, paidCount: COUNT, reserved: COUNT, remaining: 0 });
  }, 180_000);

  it('control: the door without reservations answers 202 past the last share, rejects claims after their 202 and sends a message for each', async () => {
    const run = await rush('without reservations');

    expect(run.failed).toBe(0);
    expect(run.accepted).toBeGreaterThan(COUNT);
    expect(run.paid).toBe(COUNT);
    expect(run.rejectedAfter202).toBe(run.accepted - COUNT);
    expect(run.rejectedAfter202).toBeGreaterThan(0);
    expect(run.messages).toBeGreaterThan(COUNT);
    expect(run.report).toMatchObject({ ok: true, paidCount: COUNT }); // money is safe either way
  }, 180_000);
});
