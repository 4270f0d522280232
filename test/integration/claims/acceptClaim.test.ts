import { describe, expect, it } from 'vitest';
import { acceptClaim } from '../../../lib/claims/acceptClaim.ts';
import type { ClaimQueue } from '../../../lib/claims/ClaimQueue.ts';
import { ClaimQueueError } from '../../../lib/claims/ClaimQueueError.ts';
import type { QueueMessage } from '../../../lib/claims/queueMessage.ts';
import { claimIdFor, createRedPackets, packetKeys } from '../../../lib/packets/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();

/** A queue that records what it was sent, or refuses everything (to inject an SQS outage). */
function recordingQueue(refuse = false): ClaimQueue & { sent: QueueMessage[] } {
  const sent: QueueMessage[] = [];
  return {
    sent,
    async send(message) {
      if (refuse) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      sent.push(message);
    },
  };
}

describe('acceptClaim (real Redis)', () => {
  it('creates one claim when requests for the same user race; however many copies are queued, one payout', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await rp.createPacket({ totalAmount: 100, count: 2 });
    const queue = recordingQueue();

    const replies = await Promise.all(
      Array.from({ length: 20 }, () => acceptClaim(rp.context, queue, packetId, 'alice')),
    );
    for (const message of queue.sent) {
      await rp.processItems(message.packetId, [{ kind: 'claim', userId: message.userId }], {
        deadline: Date.now() + 5000,
      });
    }

    expect(new Set(replies.map((r) => r.claimId))).toEqual(new Set([claimIdFor(packetId, 'alice')]));
    expect(queue.sent.length).toBeGreaterThanOrEqual(1);
    expect(new Set(queue.sent.map((m) => (m.kind === 'claim' ? m.claimId : m.batchId)))).toEqual(
      new Set([claimIdFor(packetId, 'alice')]),
    );
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 1 });
  });

  it('withdraws the queued record and fails retryably when the queue refuses the message', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await rp.createPacket({ totalAmount: 100, count: 2 });

    const error = await acceptClaim(rp.context, recordingQueue(true), packetId, 'bob').catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ClaimQueueError);
    expect(error).toMatchObject({
      code: 'queue_unavailable',
      retryable: true,
      claimId: claimIdFor(packetId, 'bob'),
    });
    expect(await redis.client().hexists(packetKeys('rp:', packetId).claims, 'u:bob')).toBe(0);
    const queue = recordingQueue();
    expect(await acceptClaim(rp.context, queue, packetId, 'bob')).toMatchObject({ status: 'queued' });
    expect(queue.sent).toHaveLength(1); // the retry starts clean
  });

  it('sends the message again while the claim is queued (heals a request that died before sending), never after', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await rp.createPacket({ totalAmount: 100, count: 2 });
    // A request that recorded the claim and died before sending: a queued record, no message anywhere.
    const died = recordingQueue(true);
    await redis.client().hset(
      packetKeys('rp:', packetId).claims,
      'u:carol',
      JSON.stringify({
        id: claimIdFor(packetId, 'carol'),
        kind: 'claim',
        userId: 'carol',
        status: 'queued',
        requestedAt: 1,
      }),
    );
    const queue = recordingQueue();

    const retried = await acceptClaim(rp.context, queue, packetId, 'carol'); // the client's retry
    await rp.processItems(packetId, [{ kind: 'claim', userId: 'carol' }], { deadline: Date.now() + 5000 });
    const afterPaid = await acceptClaim(rp.context, queue, packetId, 'carol');

    expect(died.sent).toEqual([]);
    expect(retried).toEqual({ claimId: claimIdFor(packetId, 'carol'), status: 'queued' });
    expect(queue.sent).toHaveLength(1); // the retry re-sent it; once paid, repeats send nothing
    expect(afterPaid).toMatchObject({ status: 'paid' });
  });

  it('refuses an unknown packet, and new users of an exhausted one', async () => {
    const rp = createRedPackets(redis.client());
    const queue = recordingQueue();
    await expect(acceptClaim(rp.context, queue, 'pk_nope', 'x')).rejects.toMatchObject({
      name: 'PacketNotFoundError',
    });
    const { packetId } = await rp.createPacket({ totalAmount: 5, count: 1 });
    await acceptClaim(rp.context, queue, packetId, 'first');
    await rp.processItems(packetId, [{ kind: 'claim', userId: 'first' }], { deadline: Date.now() + 5000 });
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
