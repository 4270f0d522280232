import { describe, expect, it } from 'vitest';
import { acceptClaim, RESEND_QUEUED_AFTER_MS } from '../../../lib/claims/acceptClaim.ts';
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
  it('queues one message per user, even when requests for the same user race', async () => {
    const rp = createRedPackets(redis.client());
    const { packetId } = await rp.createPacket({ totalAmount: 100, count: 2 });
    const queue = recordingQueue();

    const replies = await Promise.all(
      Array.from({ length: 20 }, () => acceptClaim(rp.context, queue, packetId, 'alice')),
    );

    expect(new Set(replies.map((r) => r.claimId))).toEqual(new Set([claimIdFor(packetId, 'alice')]));
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({ v: 1, kind: 'claim', packetId, userId: 'alice' });
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

  it('sends a stale queued claim again when its user asks (a message lost in a crash is healed)', async () => {
    let now = Date.now();
    const rp = createRedPackets(redis.client(), { now: () => now });
    const { packetId } = await rp.createPacket({ totalAmount: 100, count: 2 });
    const queue = recordingQueue();
    await acceptClaim(rp.context, queue, packetId, 'carol');

    await acceptClaim(rp.context, queue, packetId, 'carol'); // soon after: no second message
    now += RESEND_QUEUED_AFTER_MS + 1;
    await acceptClaim(rp.context, queue, packetId, 'carol'); // still queued long after: sent again

    expect(queue.sent).toHaveLength(2);
    expect(queue.sent[1]).toEqual(queue.sent[0]);
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
