import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { withoutReservations } from '../../../bench/withoutReservations.ts';
import { acceptClaim } from '../../../lib/claims/acceptClaim.ts';
import { ClaimQueueError } from '../../../lib/claims/ClaimQueueError.ts';
import { sweepUnsent } from '../../../lib/claims/sweepUnsent.ts';
import { claimIdFor, createRedPackets, packetKeys } from '../../../lib/packets/index.ts';
import { createSqsQueue } from '../../../lib/queue/MessageQueue.ts';
import { recordBatch } from '../../harness/acceptedItems.ts';
import { startFaultyProxy } from '../../harness/faultyHttpProxy.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();
const sqs = useQueue();
const settle = (rp: ReturnType<typeof createRedPackets>, claimId: string) =>
  waitFor(async () => {
    const claim = await rp.readClaim(claimId);
    return claim && claim.status !== 'queued' ? claim : undefined;
  });

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('acceptClaim (real Redis, real SQS emulator)', () => {
  it('creates one claim and one message when requests for the same user race; it ends paid once', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 2 });
    const { queues, queue } = await sqs.freshQueues();

    const replies = await Promise.all(
      Array.from({ length: 20 }, () => acceptClaim(rp.context, queue, packetId, 'alice')),
    );
    const sent = await sqs.depth(queues.queueUrl);
    sqs.consume(rp, queues.queueUrl);
    const paid = await settle(rp, claimIdFor(packetId, 'alice'));

    expect(new Set(replies.map((r) => r.claimId))).toEqual(new Set([claimIdFor(packetId, 'alice')]));
    expect(sent).toBe(1); // repeats answer the same claim and send nothing
    expect(paid.status).toBe('paid');
    expect(await redis.client().zcard(packetKeys('rp:', packetId).unsent)).toBe(0); // send confirmed
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 1 });
  });

  it('the queue definitely refuses (no such queue: HTTP 400): the claim is withdrawn with its share and 503 says nothing was accepted', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 1 });
    const missing = createSqsQueue(sqs.sqs, `${sqs.queues.queueUrl}-does-not-exist`);

    const error = await acceptClaim(rp.context, missing, packetId, 'bob').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ClaimQueueError);
    expect(error).toMatchObject({
      code: 'queue_unavailable',
      retryable: true,
      claimId: claimIdFor(packetId, 'bob'),
    });
    const keys = packetKeys('rp:', packetId);
    expect(await redis.client().hexists(keys.claims, 'u:bob')).toBe(0);
    expect(await redis.client().zcard(keys.unsent)).toBe(0);
    expect(await redis.client().hget(keys.packet, 'reserved')).toBe('0'); // the only share is back
    const { queues, queue } = await sqs.freshQueues();
    expect(await acceptClaim(rp.context, queue, packetId, 'bob')).toMatchObject({
      status: 'queued',
      shareHeld: true,
    });
    expect(await sqs.depth(queues.queueUrl)).toBe(1); // the retry starts clean
  });

  it('an ambiguous send (SQS stored it, the reply was lost) answers 202, never a false 503, and the claim is paid once', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 100, count: 2 });
    const { queues } = await sqs.freshQueues();
    const proxy = await startFaultyProxy(sqs.endpoint);
    proxy.dropReplies.add('AmazonSQS.SendMessage');
    const client = new SQSClient({
      region: 'us-east-1',
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 2,
    });
    try {
      const reply = await acceptClaim(rp.context, createSqsQueue(client, queues.queueUrl), packetId, 'carol');
      const inQueue = await sqs.depth(queues.queueUrl);
      const unsent = await redis.client().zrange(packetKeys('rp:', packetId).unsent, 0, -1);
      sqs.consume(rp, queues.queueUrl);
      const claim = await settle(rp, claimIdFor(packetId, 'carol'));

      expect(reply).toEqual({ claimId: claimIdFor(packetId, 'carol'), status: 'queued', shareHeld: true });
      expect(proxy.dropped).toBe(2); // both attempts reached SQS; neither answer came back
      expect(inQueue).toBe(2); // the messages exist although the sender saw a failure
      expect(unsent).toEqual(['u:carol']); // left to the sweeper, in case they had not
      expect(claim).toMatchObject({ status: 'paid' });
      expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 1 });
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('refuses an unknown packet, and new users of an exhausted one; an earlier claimer still sees their claim', async () => {
    const rp = createRedPackets(redis.client());
    const { queues, queue } = await sqs.freshQueues();
    await expect(acceptClaim(rp.context, queue, 'pk_nope', 'x')).rejects.toMatchObject({
      name: 'PacketNotFoundError',
    });
    const { packetId } = await fundedPacket(rp, { totalAmount: 5, count: 1 });
    await acceptClaim(rp.context, queue, packetId, 'first');
    sqs.consume(rp, queues.queueUrl);
    await settle(rp, claimIdFor(packetId, 'first'));
    await expect(acceptClaim(rp.context, queue, packetId, 'second')).rejects.toMatchObject({
      name: 'PacketClosedError',
      code: 'packet_exhausted',
    });
    expect(await acceptClaim(rp.context, queue, packetId, 'first')).toMatchObject({
      status: 'paid',
      amount: 5,
    });
  });
});

describe('sweepUnsent (real Redis, real SQS emulator)', () => {
  it('re-sends only records whose send was never confirmed, once they are due; then they are paid', async () => {
    let now = Date.now();
    const rp = createRedPackets(redis.client(), { now: () => now });
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 10 });
    const { queues, queue } = await sqs.freshQueues();
    // Two requests that died between recording and sending (the door's first half only) ...
    await rp.recordClaim(packetId, 'died-1');
    await rp.recordClaim(packetId, 'died-2');
    // ... and one that completed.
    await acceptClaim(rp.context, queue, packetId, 'fine');

    const sweep = () => sweepUnsent(rp.context, queue, { resendAfterMs: 30_000 });
    const early = await sweep();
    now += 30_001;
    const due = await sweep();
    const again = await sweep();
    const depth = await sqs.depth(queues.queueUrl);
    sqs.consume(rp, queues.queueUrl);
    const claims = await Promise.all(
      ['died-1', 'died-2', 'fine'].map((u) => settle(rp, claimIdFor(packetId, u))),
    );

    expect(early).toMatchObject({ resent: 0, failed: 0 }); // nothing is raced before resendAfterMs
    expect(due).toMatchObject({ resent: 2, failed: 0 });
    expect(again).toMatchObject({ resent: 0 }); // confirmed: not sent a third time
    expect(depth).toBe(3);
    expect(claims.map((c) => c.status)).toEqual(['paid', 'paid', 'paid']);
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 3 });
  });

  it('two sweepers at once send each record once; an unreachable queue leaves it unsent for the next run', async () => {
    let now = Date.now();
    const rp = createRedPackets(redis.client(), { now: () => now });
    const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 25 });
    const { queues, queue } = await sqs.freshQueues();
    for (let i = 0; i < 25; i++) await rp.recordClaim(packetId, `u${i}`);
    now += 1001;
    const down = createSqsQueue(
      new SQSClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
        maxAttempts: 1,
      }),
      queues.queueUrl,
    );

    const failed = await sweepUnsent(rp.context, down, { resendAfterMs: 1000, maxRecords: 5 });
    now += 1001;
    const [a, b] = await Promise.all([
      sweepUnsent(rp.context, queue, { resendAfterMs: 1000 }),
      sweepUnsent(rp.context, queue, { resendAfterMs: 1000 }),
    ]);

    expect(failed).toMatchObject({ resent: 0, failed: 5 });
    expect((a?.resent ?? 0) + (b?.resent ?? 0)).toBe(25);
    expect(await sqs.depth(queues.queueUrl)).toBe(25);
  });

  it('forgets a packet once it is settled with nothing unsent, and a packet that no longer exists; keeps the rest', async () => {
    let now = Date.now();
    const rp = createRedPackets(redis.client(), { now: () => now });
    const { packetId: settled } = await fundedPacket(rp, { totalAmount: 100, count: 1, expiresInSeconds: 1 });
    const { packetId: unsettled } = await fundedPacket(rp, {
      totalAmount: 100,
      count: 1,
      expiresInSeconds: 1,
    });
    const { packetId: open } = await fundedPacket(rp, { totalAmount: 100, count: 1 });
    const { packetId: gone } = await fundedPacket(rp, { totalAmount: 100, count: 1 });
    await redis.client().del(packetKeys('rp:', gone).packet);
    now += 2000;
    await rp.settlePacket(settled);

    const report = await sweepUnsent(rp.context, sqs.queue);

    expect(report.forgotten).toBe(2);
    // An expired packet not yet settled stays: the settler still has its refund to make.
    expect((await redis.client().zrange('rp:packets', 0, -1)).sort()).toEqual([open, unsettled].sort());
  });
});

describe('grab, then open (real Redis, real SQS emulator)', () => {
  const soon = () => ({ deadline: Date.now() + 5000 });

  /**
   * u0 … u9 claim one after another at the door of a 5-share packet; then the consumer decides the claims
   * answered 202 in reverse order (the last claimer's message first, as any consumer order may have it).
   */
  async function claimThenOpenBackwards(door: 'reserving' | 'without reservations') {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 500, count: 5 });
    const restore =
      door === 'reserving' ? async () => undefined : await withoutReservations(redis.client(), packetId);
    const { queue } = await sqs.freshQueues();
    const users = Array.from({ length: 10 }, (_, i) => `u${i}`);
    const answers: number[] = [];
    for (const user of users) {
      answers.push(
        await acceptClaim(rp.context, queue, packetId, user).then(
          (claim) => (claim.shareHeld ? 202 : -1),
          (error: { code?: string }) => (error.code === 'packet_exhausted' ? 410 : -1),
        ),
      );
    }
    const backwards = users.filter((_, i) => answers[i] === 202).reverse();
    const outcomes = await rp.processItems(
      packetId,
      backwards.map((userId) => ({ kind: 'claim', userId })),
      soon(),
    );
    await restore();
    return {
      answers,
      paid: backwards.filter((_, i) => outcomes[i]?.status === 'paid').sort(),
      rejectedAfter202: outcomes.filter((o) => o.status === 'rejected').length,
      report: await rp.reconcile(packetId),
    };
  }

  it('the door answers at once in the order Redis records claims: the first five hold the shares, whatever order the consumer opens them in', async () => {
    const grab = await claimThenOpenBackwards('reserving');

    expect(grab.answers).toEqual([202, 202, 202, 202, 202, 410, 410, 410, 410, 410]);
    expect(grab.paid).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    expect(grab.rejectedAfter202).toBe(0);
    expect(grab.report).toMatchObject({ ok: true, reserved: 5, paidCount: 5, paidAmount: 500 });
  });

  it('control: the door without reservations says 202 to all ten, and the consumer order picks the winners: the first five claimers are rejected after their 202', async () => {
    const old = await claimThenOpenBackwards('without reservations');

    expect(old.answers).toEqual(Array(10).fill(202));
    expect(old.paid).toEqual(['u5', 'u6', 'u7', 'u8', 'u9']);
    expect(old.rejectedAfter202).toBe(5);
    expect(old.report).toMatchObject({ ok: true, reserved: 5, paidCount: 5 }); // every rejection gave back
  });

  it('a reserved claim refused for good (its user was paid by a batch first) gives its share back, and a later user gets it', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await fundedPacket(rp, { totalAmount: 3000, count: 3 });
    const { queues, queue } = await sqs.freshQueues();
    const claim = (userId: string) => acceptClaim(rp.context, queue, packetId, userId);
    await claim('alice');
    await claim('bob');
    // Before alice's claim is opened, the operator's batch pays her: it takes the one share nobody holds.
    await recordBatch(rp, packetId, 'promo', [{ userId: 'alice', amount: 500 }]);
    const promo = await rp.processItems(
      packetId,
      [{ kind: 'payout', batchId: 'promo', userId: 'alice', amount: 500 }],
      soon(),
    );
    const turnedAway = await claim('carol').catch((error: unknown) => error);
    await sqs.drain(rp, queues.queueUrl); // alice's claim: rejected, her share goes back; bob's: paid
    const alice = await rp.readClaim(claimIdFor(packetId, 'alice'));
    const afterGiveBack = await rp.readPacket(packetId);
    const carol = await claim('carol');
    await sqs.drain(rp, queues.queueUrl);

    expect(promo).toMatchObject([{ status: 'paid', amount: 500 }]);
    expect(turnedAway).toMatchObject({ code: 'packet_exhausted' }); // every share was taken
    expect(alice).toMatchObject({ status: 'rejected', reason: 'already_paid_by_batch' });
    expect(afterGiveBack).toMatchObject({ reserved: 2, status: 'open' });
    expect(carol).toMatchObject({ status: 'queued', shareHeld: true });
    expect(await rp.readClaim(claimIdFor(packetId, 'carol'))).toMatchObject({ status: 'paid' });
    expect(await claim('alice')).toMatchObject({ status: 'rejected', shareHeld: false }); // her own claim
    expect(await rp.reconcile(packetId)).toMatchObject({
      ok: true,
      reserved: 3,
      paidCount: 3,
      paidAmount: 3000,
    });
  });
});
