import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchConflictError } from '../../../lib/batches/BatchConflictError.ts';
import { readBatchStatus } from '../../../lib/batches/batchStore.ts';
import { parseBatchFile } from '../../../lib/batches/parseBatchFile.ts';
import { parseBatchRequest } from '../../../lib/batches/parseBatchRequest.ts';
import { type PayoutRow, submitPayouts } from '../../../lib/batches/submitPayouts.ts';
import { createRedPackets, ValidationError } from '../../../lib/packets/index.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useQueue } from '../../harness/queueFixture.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();
const sqs = useQueue();
const winners: PayoutRow[] = [
  { userId: 'alice', amount: 100 },
  { userId: 'bob', amount: 200 },
  { userId: 'carol', amount: 300 },
];

async function setup(total = 100_000, count = 100) {
  const rp = createRedPackets(redis.client());
  const { packetId } = await fundedPacket(rp, { totalAmount: total, count });
  const { queues, queue } = await sqs.freshQueues();
  return { rp, packetId, queues, queue, drain: () => sqs.drain(rp, queues.queueUrl) };
}

/** Ledger entries of a packet as `user amount (batch)`, sorted. */
async function ledger(rp: ReturnType<typeof createRedPackets>, packetId: string) {
  const { items } = await rp.listPayouts(packetId, { limit: 1000 });
  return items.map((p) => `${p.userId} ${p.amount} (${p.batchId ?? 'claim'})`).sort();
}

describe('submitPayouts (real Redis, real SQS emulator, real consumer)', () => {
  it('the same rows in any order are one batch: a resubmission sends nothing for decided items and pays nobody twice', async () => {
    const { rp, packetId, queue, drain } = await setup();
    const first = await submitPayouts(rp.context, queue, { packetId, rows: winners });
    await drain();
    const again = await submitPayouts(rp.context, queue, { packetId, rows: [...winners].reverse() });
    const received = await drain();

    expect(again.batchId).toBe(first.batchId);
    expect(first.outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
    expect(again.outcomes).toEqual(Array(3).fill({ status: 'decided', decided: 'paid' }));
    expect(received).toBe(0);
    expect(await ledger(rp, packetId)).toEqual([
      `alice 100 (${first.batchId})`,
      `bob 200 (${first.batchId})`,
      `carol 300 (${first.batchId})`,
    ]);
    expect(await readBatchStatus(rp.context, first.batchId)).toMatchObject({
      items: 3,
      paid: 3,
      paidAmount: 600,
    });
  });

  it('a changed amount under the same batch id is refused as item_conflict, not recorded and never paid', async () => {
    const { rp, packetId, queue, drain } = await setup();
    await submitPayouts(rp.context, queue, { packetId, batchId: 'spring', rows: winners });
    const changed = await submitPayouts(rp.context, queue, {
      packetId,
      batchId: 'spring',
      rows: [{ userId: 'bob', amount: 999 }, ...winners.filter((w) => w.userId !== 'bob')],
    });
    await drain();

    expect(changed.outcomes[0]).toEqual({ status: 'refused', code: 'item_conflict', recordedAmount: 200 });
    expect(await ledger(rp, packetId)).toEqual([
      'alice 100 (spring)',
      'bob 200 (spring)',
      'carol 300 (spring)',
    ]);
    expect(await readBatchStatus(rp.context, 'spring')).toMatchObject({ items: 3, paid: 3, paidAmount: 600 });
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 3 });
  });

  it('a partial export then the full list: nobody paid twice by default; named rounds with allowRepeatPayees pay again', async () => {
    const { rp, packetId, queue, drain } = await setup();
    const partial = await submitPayouts(rp.context, queue, { packetId, rows: winners.slice(0, 2) });
    await drain();
    const full = await submitPayouts(rp.context, queue, { packetId, rows: winners });
    await drain();
    const round2 = await submitPayouts(rp.context, queue, {
      packetId,
      batchId: 'round-2',
      allowRepeatPayees: true,
      rows: winners.slice(0, 1),
    });
    await drain();

    expect(full.batchId).not.toBe(partial.batchId);
    expect(full.outcomes).toEqual([
      { status: 'refused', code: 'already_paid_by_batch', paidBy: partial.batchId, paidAmount: 100 },
      { status: 'refused', code: 'already_paid_by_batch', paidBy: partial.batchId, paidAmount: 200 },
      { status: 'sent' },
    ]);
    expect(round2.outcomes).toEqual([{ status: 'sent' }]);
    expect(await ledger(rp, packetId)).toEqual([
      `alice 100 (${partial.batchId})`,
      'alice 100 (round-2)',
      `bob 200 (${partial.batchId})`,
      `carol 300 (${full.batchId})`,
    ]);
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 4 });
  });

  it('two batches paying one user, both in the queue before either is consumed: the consumer pays one of them', async () => {
    const { rp, packetId, queue, drain } = await setup();
    const a = await submitPayouts(rp.context, queue, { packetId, rows: [{ userId: 'dan', amount: 50 }] });
    const b = await submitPayouts(rp.context, queue, {
      packetId,
      rows: [
        { userId: 'dan', amount: 50 },
        { userId: 'erin', amount: 60 },
      ],
    });
    await drain();

    expect(b.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']); // neither was paid at submission
    const statuses = await Promise.all([a.batchId, b.batchId].map((id) => readBatchStatus(rp.context, id)));
    expect(statuses.map((s) => s?.paid)).toEqual(expect.arrayContaining([1, 1]));
    const refused = statuses.flatMap((s) => s?.rejectedItems ?? []);
    expect(refused).toEqual([
      { userId: 'dan', reason: 'already_paid_by_batch', paidBy: expect.stringMatching(/^bt_/) },
    ]);
    expect((await ledger(rp, packetId)).filter((e) => e.startsWith('dan '))).toHaveLength(1);
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 2 });
  });

  it('refuses, recording nothing: repeat payees without a batch id, a user twice, a batch id of another packet or with other terms', async () => {
    const { rp, packetId, queue } = await setup();
    const other = (await fundedPacket(rp, { totalAmount: 1000, count: 10 })).packetId;
    await submitPayouts(rp.context, queue, { packetId: other, batchId: 'taken', rows: winners });
    await submitPayouts(rp.context, queue, { packetId, batchId: 'strict', rows: winners.slice(0, 1) });

    const errors = await Promise.all(
      [
        submitPayouts(rp.context, queue, { packetId, allowRepeatPayees: true, rows: winners }),
        submitPayouts(rp.context, queue, { packetId, rows: [...winners, winners[0] as PayoutRow] }),
        submitPayouts(rp.context, queue, { packetId, batchId: 'taken', rows: winners }),
        submitPayouts(rp.context, queue, {
          packetId,
          batchId: 'strict',
          allowRepeatPayees: true,
          rows: winners,
        }),
      ].map((p) => p.catch((e: unknown) => e)),
    );

    expect(errors.map((e) => (e as Error).name)).toEqual([
      'ValidationError',
      'ValidationError',
      'BatchConflictError',
      'BatchConflictError',
    ]);
    expect(errors[0]).toBeInstanceOf(ValidationError);
    expect(errors[2]).toBeInstanceOf(BatchConflictError);
    expect(await readBatchStatus(rp.context, 'strict')).toMatchObject({ items: 1 });
    expect(await readBatchStatus(rp.context, 'taken')).toMatchObject({ packetId: other, items: 3 });
  });

  it('property: any sequence of submissions of one winners list (subsets, supersets, orders, layouts, routes, named or derived ids) pays each winner at most once, their own amount, and reconciles', async () => {
    const list: PayoutRow[] = Array.from({ length: 6 }, (_, i) => ({
      userId: `w${i}`,
      amount: 10 * (i + 1),
    }));
    const layout = fc.constantFrom('csv', 'csv-blank-lines', 'csv-comments', 'json', 'json-items', 'http');
    const submission = fc.record({
      rows: fc
        .subarray(list, { minLength: 1 })
        .chain((rows) => fc.shuffledSubarray(rows, { minLength: rows.length })),
      layout,
      batchId: fc.constantFrom(undefined, undefined, 'named'),
      drainAfter: fc.constantFrom(0, 2, Number.POSITIVE_INFINITY),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(submission, { minLength: 1, maxLength: 5 }), async (submissions) => {
        const { rp, packetId, queue, queues } = await setup(10_000, 50);
        const submitted = new Set<string>();
        for (const s of submissions) {
          const rows = viaRoute(s.rows, s.layout, packetId);
          // A named batch id is global: each run (a fresh packet) names its own.
          const batchId = s.batchId && `${s.batchId}-${packetId}`;
          await submitPayouts(rp.context, queue, { packetId, batchId, rows });
          for (const row of rows) submitted.add(row.userId);
          await sqs.drain(rp, queues.queueUrl, s.drainAfter);
        }
        await sqs.drain(rp, queues.queueUrl);

        const { items } = await rp.listPayouts(packetId, { limit: 1000 });
        const paidTo = items.map((p) => p.userId);
        expect(new Set(paidTo).size).toBe(paidTo.length); // at most once per packet
        expect(new Set(paidTo)).toEqual(submitted); // and every submitted winner (the budget covers them)
        for (const p of items) expect(p.amount).toBe(list.find((w) => w.userId === p.userId)?.amount);
        const report = await rp.reconcile(packetId);
        expect(report.discrepancies).toEqual([]);
      }),
      { numRuns: 20 },
    );
  }, 120_000);
});

/** The rows as the route would hand them to `submitPayouts`: through the file parser or the HTTP body parser. */
function viaRoute(rows: readonly PayoutRow[], layout: string, packetId: string): PayoutRow[] {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const csvLines = rows.map((r) => `${r.userId},${r.amount}`);
  let parsed: { rows: PayoutRow[] };
  switch (layout) {
    case 'csv':
      parsed = parseBatchFile(utf8(`userId,amount\n${csvLines.join('\n')}\n`), 'csv');
      break;
    case 'csv-blank-lines':
      parsed = parseBatchFile(utf8(`userId,amount\n\n${csvLines.join('\n\n')}\n\n`), 'csv');
      break;
    case 'csv-comments':
      parsed = parseBatchFile(utf8(`userId,amount\n# export\n${csvLines.join('\n# --\n')}\n`), 'csv');
      break;
    case 'json':
      parsed = parseBatchFile(utf8(JSON.stringify(rows)), 'json');
      break;
    case 'json-items':
      parsed = parseBatchFile(utf8(JSON.stringify({ items: rows })), 'json');
      break;
    default:
      parsed = parseBatchRequest({ packetId, items: rows });
  }
  return parsed.rows.map(({ userId, amount }) => ({ userId, amount }));
}
