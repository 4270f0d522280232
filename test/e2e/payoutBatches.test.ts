import { describe, expect, it } from 'vitest';
import { QUICK_LOCK, useLocalStack } from '../harness/localStackFixture.ts';

const api = useLocalStack({ visibilityTimeoutSeconds: 2, ...QUICK_LOCK });

interface Status {
  items: number;
  queued: number;
  paid: number;
  paidAmount: number;
  rejected: Record<string, number>;
}

async function createPacket(body: Record<string, unknown>): Promise<string> {
  const reply = await api.createPacket(body); // an operator's campaign: batches pay only from those
  return reply.body.packetId;
}

const submit = (body: object) =>
  api.request<{
    batchId: string;
    accepted: number;
    sent: number;
    alreadyDecided: number;
    rejected: Array<{ index: number; code: string }>;
    unsent: unknown[];
  }>('POST', '/payout-batches', { body: JSON.stringify(body) });

const settled = (batchId: string) =>
  api.eventually(async () => {
    const reply = await api.request<Status>('GET', `/payout-batches/${batchId}`);
    return reply.status === 200 && reply.body.queued === 0 ? reply.body : undefined;
  });

describe('payout batches over HTTP and SQS', () => {
  it('pays the items that fit in order and rejects the rest with insufficient_budget, exactly', async () => {
    // 1,000 for 10 shares: each payout must leave 1 unit for every other remaining share.
    const packetId = await createPacket({ totalAmount: 1000, count: 10 });
    const items = [300, 300, 300, 300, 50].map((amount, i) => ({ userId: `w${i}`, amount }));

    const reply = await submit({ packetId, batchId: 'spring-1', items });
    const status = await settled('spring-1');

    expect(reply).toMatchObject({
      status: 202,
      body: { batchId: 'spring-1', accepted: 5, sent: 5, alreadyDecided: 0, rejected: [], unsent: [] },
    });
    // Only three 300s can fit (a fourth would leave less than 1 unit per remaining share); the 50 always
    // fits. So whatever order the consumers see the items in: 4 paid, 950 in all, one insufficient_budget.
    expect(status).toMatchObject({
      items: 5,
      queued: 0,
      paid: 4,
      paidAmount: 950,
      rejected: { insufficient_budget: 1 },
    });
    const report = await api.packets.reconcile(packetId);
    expect(report).toMatchObject({ ok: true, paidAmount: status.paidAmount, paidCount: status.paid });
  });

  it('a resubmitted batch (same content, derived id) pays nobody twice; bad items are reported by index', async () => {
    const packetId = await createPacket({ totalAmount: 100_000, count: 100 });
    const items = [
      ...Array.from({ length: 20 }, (_, i) => ({ userId: `r${i}`, amount: 100 })),
      { userId: 'r3', amount: 100 },
      { userId: 'bad amount', amount: 1.5 },
    ];

    const first = await submit({ packetId, items });
    await settled(first.body.batchId);
    const again = await submit({ packetId, items });
    const status = await settled(again.body.batchId);

    expect(again.body.batchId).toBe(first.body.batchId);
    expect(first.body).toMatchObject({ accepted: 20, sent: 20, alreadyDecided: 0 });
    expect(again.body).toMatchObject({ accepted: 20, sent: 0, alreadyDecided: 20 }); // nothing sent again
    expect(first.body.rejected).toEqual([
      { index: 20, code: 'duplicate_user', message: expect.any(String) },
      { index: 21, code: 'invalid_item', message: expect.any(String) },
    ]);
    expect(status).toMatchObject({ items: 20, queued: 0, paid: 20, paidAmount: 2000, rejected: {} });
    expect(await api.packets.reconcile(packetId)).toMatchObject({
      ok: true,
      paidCount: 20,
      paidAmount: 2000,
    });
    expect((await api.request('GET', '/payout-batches/nope')).status).toBe(404);
    expect((await submit({ packetId: 'pk_missing', items })).status).toBe(404);
    expect((await submit({ packetId, items: [] })).status).toBe(400);
  });
});
