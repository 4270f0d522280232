import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimIdFor, packetKeys } from '../../lib/packets/index.ts';
import { QUICK_LOCK, useLocalStack } from '../harness/localStackFixture.ts';
import { runCli } from '../harness/runCliProcess.ts';
import { spawnWorker } from '../harness/spawnWorker.ts';

// The sweeper runs every second here and re-sends what waited 2 s for its send (deployed: 1 min and 30 s).
const api = useLocalStack({
  visibilityTimeoutSeconds: 2,
  ...QUICK_LOCK,
  scheduleSeconds: 1,
  resendAfterMs: 2000,
});
const dir = mkdtempSync(join(tmpdir(), 'rp-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({
  REDIS_URL: api.stack.redisUrl,
  CLAIMS_QUEUE_URL: api.stack.queues.queueUrl,
  SQS_ENDPOINT: api.stack.sqsEndpoint,
});
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const csv = (rows: ReadonlyArray<readonly [string, number]>) =>
  `userId,amount\n${rows.map(([u, a]) => `${u},${a}`).join('\n')}\n`;

async function createPacket(totalAmount: number, count: number): Promise<string> {
  const reply = await api.createPacket({ totalAmount, count });
  expect(reply.status).toBe(201);
  return reply.body.packetId;
}

interface Report {
  batchId: string;
  sent: number;
  alreadyDecided: number;
  refused: Array<{ line: number; userId: string; code: string; settled: boolean; paidBy?: string }>;
  status: {
    items: number;
    paid: number;
    paidAmount: number;
    queued: number;
    rejected: Record<string, number>;
  };
  rejected: Array<{ line: number; userId: string; code: string }>;
  outcome: string;
}

/** `payouts submit --wait --json` for `path`; resolves the exit code and the report. */
async function submit(packetId: string, path: string, ...flags: string[]) {
  const run = await runCli(
    ['payouts', 'submit', '--packet', packetId, '--file', path, '--wait', '--json', ...flags],
    env(),
  );
  let report: Report | undefined;
  try {
    report = JSON.parse(run.stdout) as Report;
  } catch {
    // the test will show stderr
  }
  return { code: run.code, stderr: run.stderr, report: report as Report };
}

/** The packet's ledger as `user amount`, sorted, read straight from Redis. */
async function ledger(packetId: string): Promise<string[]> {
  const entries = await api.redis.xrange(packetKeys('rp:', packetId).ledger, '-', '+');
  return entries.map(([, f]) => `${f[f.indexOf('user') + 1]} ${f[f.indexOf('amount') + 1]}`).sort();
}

const reconciles = async (packetId: string) =>
  (await runCli(['reconcile', '--packet', packetId], env())).code;

describe('every batch row is paid once, whatever the route, the layout or the resubmission', () => {
  it('four ways, one list (CSV, CSV with a blank line, JSON, HTTP): one batch, 600 paid exactly, every report says 3 paid', async () => {
    const packetId = await createPacket(10_000, 10);
    const rows = [
      ['alice', 100],
      ['bob', 200],
      ['carol', 300],
    ] as const;
    const plain = await submit(packetId, file('four-1.csv', csv(rows)));
    const blank = await submit(
      packetId,
      file('four-2.csv', `userId,amount\n\n${csv(rows).split('\n').slice(1).join('\n')}`),
    );
    const json = await submit(
      packetId,
      file(
        'four-3.json',
        JSON.stringify([...rows].reverse().map(([userId, amount]) => ({ userId, amount }))),
      ),
    );
    const http = await api.request<{ batchId: string; accepted: number; alreadyDecided: number }>(
      'POST',
      '/payout-batches',
      {
        body: JSON.stringify({ packetId, items: rows.map(([userId, amount]) => ({ userId, amount })) }),
      },
    );
    const status = await api.request<Report['status']>('GET', `/payout-batches/${http.body.batchId}`);

    for (const run of [plain, blank, json]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.report.status).toMatchObject({ items: 3, paid: 3, paidAmount: 600, queued: 0 });
      expect(run.report.batchId).toBe(plain.report.batchId);
    }
    expect([blank.report.sent, json.report.sent]).toEqual([0, 0]); // decided: nothing sent again
    expect(http.body).toMatchObject({ batchId: plain.report.batchId, accepted: 3, alreadyDecided: 3 });
    expect(status.body).toMatchObject({ items: 3, paid: 3, paidAmount: 600 });
    expect(await ledger(packetId)).toEqual(['alice 100', 'bob 200', 'carol 300']);
    expect(await reconciles(packetId)).toBe(0);
  }, 120_000);

  it('a rejected row deleted and the file resubmitted, and --skip-invalid then the fixed file: each valid row paid once', async () => {
    // 1,000 in 10 shares: only three of the four 300s fit, whatever the order.
    const packetId = await createPacket(1000, 10);
    const rows = [
      ['w0', 300],
      ['w1', 300],
      ['w2', 300],
      ['w3', 300],
      ['w4', 50],
    ] as const;
    const first = await submit(packetId, file('over.csv', csv(rows)));
    const rejected = first.report.rejected[0]?.userId;
    const second = await submit(packetId, file('over-fixed.csv', csv(rows.filter(([u]) => u !== rejected))));

    expect(first.code).toBe(1);
    expect(first.report.rejected).toEqual([expect.objectContaining({ code: 'insufficient_budget' })]);
    expect(second.code, second.stderr).toBe(0); // every row of the new file is paid (by the first batch)
    expect(second.report.refused.map((r) => [r.code, r.settled, r.paidBy])).toEqual(
      Array(4).fill(['already_paid_by_batch', true, first.report.batchId]),
    );
    expect(second.stderr).toMatch(/warning: 4 rows refused \(not sent\)/); // said before sending
    expect(await ledger(packetId)).toHaveLength(4);

    const other = await createPacket(10_000, 100);
    const bad = await submit(
      other,
      file(
        'mixed.csv',
        csv([
          ['ok-1', 10],
          ['ok-2', 0],
          ['ok-3', 30],
        ]),
      ),
      '--skip-invalid',
    );
    const fixed = await submit(
      other,
      file(
        'mixed-fixed.csv',
        csv([
          ['ok-1', 10],
          ['ok-2', 20],
          ['ok-3', 30],
        ]),
      ),
    );

    expect(bad.code).toBe(1);
    expect(bad.report.status).toMatchObject({ items: 2, paid: 2, paidAmount: 40 });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.report.status).toMatchObject({ items: 1, paid: 1, paidAmount: 20 });
    expect(fixed.report.refused.map((r) => r.userId).sort()).toEqual(['ok-1', 'ok-3']);
    expect(await ledger(other)).toEqual(['ok-1 10', 'ok-2 20', 'ok-3 30']);
    expect(await reconciles(packetId)).toBe(0);
    expect(await reconciles(other)).toBe(0);
  }, 120_000);

  it('the same user with a changed amount under the same batch id: item_conflict by line, nothing extra paid', async () => {
    const packetId = await createPacket(10_000, 10);
    const first = await submit(
      packetId,
      file(
        'named.csv',
        csv([
          ['alice', 100],
          ['bob', 200],
        ]),
      ),
      '--batch-id',
      'payday',
    );
    const changed = await submit(
      packetId,
      file(
        'named-changed.csv',
        csv([
          ['alice', 150],
          ['bob', 200],
        ]),
      ),
      '--batch-id',
      'payday',
    );

    expect(first.code).toBe(0);
    expect(changed.code).toBe(1);
    expect(changed.report.refused).toEqual([
      expect.objectContaining({ line: 2, userId: 'alice', code: 'item_conflict', settled: false }),
    ]);
    expect(changed.report.status).toMatchObject({ items: 2, paid: 2, paidAmount: 300 }); // never counts a row twice
    expect(await ledger(packetId)).toEqual(['alice 100', 'bob 200']);
    expect(await reconciles(packetId)).toBe(0);
  }, 60_000);

  it('a partial export, then the full list: nobody paid twice by default; with --allow-repeat-payees, as asked', async () => {
    const packetId = await createPacket(10_000, 10);
    const full = [
      ['alice', 100],
      ['bob', 200],
      ['carol', 300],
    ] as const;
    const partial = await submit(packetId, file('partial.csv', csv(full.slice(0, 2))));
    const all = await submit(packetId, file('full.csv', csv(full)));
    const round2 = await submit(
      packetId,
      file('full.csv', csv(full)),
      '--batch-id',
      'round-2',
      '--allow-repeat-payees',
    );

    expect(partial.code).toBe(0);
    expect(all.code, all.stderr).toBe(0);
    expect(all.report.status).toMatchObject({ items: 1, paid: 1, paidAmount: 300 });
    expect(all.report.refused.map((r) => [r.userId, r.code, r.paidBy])).toEqual([
      ['alice', 'already_paid_by_batch', partial.report.batchId],
      ['bob', 'already_paid_by_batch', partial.report.batchId],
    ]);
    expect(round2.code, round2.stderr).toBe(0);
    expect(round2.report.status).toMatchObject({ items: 3, paid: 3, paidAmount: 600 });
    expect(await ledger(packetId)).toEqual([
      'alice 100',
      'alice 100',
      'bob 200',
      'bob 200',
      'carol 300',
      'carol 300',
    ]);
    expect(await reconciles(packetId)).toBe(0);
  }, 120_000);

  it('without --wait the CLI says it sent the rows, not that they were paid', async () => {
    const packetId = await createPacket(10_000, 10);
    const run = await runCli(
      ['payouts', 'submit', '--packet', packetId, '--file', file('nowait.csv', csv([['x', 5]]))],
      env(),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/OK: sent 1 rows \(not waited for/);
    expect(run.stdout).not.toContain('every row is paid');
  });
});

describe('no claim without a message', () => {
  it('a door killed between recording a claim and sending it: the sweeper sends it and the claim ends paid', async () => {
    const packetId = await createPacket(1000, 10);
    // Earlier tests' messages gone, so that the queue's depth says whether this claim has one.
    await api.eventually(async () =>
      (await api.queueDepth(api.stack.queues.queueUrl)) === 0 ? true : undefined,
    );
    const blackHole = await startBlackHole();
    try {
      const door = spawnWorker('doorWorker', {
        REDIS_URL: api.stack.redisUrl,
        SQS_ENDPOINT: blackHole.endpoint, // the send hangs: the door dies at exactly this point
        QUEUE_URL: api.stack.queues.queueUrl,
        PACKET: packetId,
        USER: 'orphan',
      });
      await door.next('ready');
      await api.eventually(async () =>
        (await api.redis.hexists(packetKeys('rp:', packetId).claims, 'u:orphan')) === 1 ? true : undefined,
      );
      door.signal('SIGKILL');
      await door.exited;
      const claimId = claimIdFor(packetId, 'orphan');
      // Right after the crash: the claim is queued and no message exists anywhere; nothing but the sweeper
      // would ever send one.
      const asOrphan = { headers: { 'x-user-id': 'orphan' } };
      const right = await api.request<{ status: string }>('GET', `/claims/${claimId}`, asOrphan);
      const depth = await api.queueDepth(api.stack.queues.queueUrl);

      const paid = await api.eventually(async () => {
        const reply = await api.request<{ status: string; amount?: number }>(
          'GET',
          `/claims/${claimId}`,
          asOrphan,
        );
        return reply.body.status === 'paid' ? reply.body : undefined;
      }, 30_000);

      expect(right.body.status).toBe('queued');
      expect(depth).toBe(0);
      expect(paid.amount).toBeGreaterThan(0);
      expect(await api.redis.zcard(packetKeys('rp:', packetId).unsent)).toBe(0);
      expect(await reconciles(packetId)).toBe(0);
    } finally {
      await blackHole.close();
    }
  }, 60_000);
});

/** A TCP server that accepts connections and never answers: a send to it hangs. */
async function startBlackHole(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a user-funded packet over HTTP, settled by the schedule', () => {
  it('a user funds a packet from their balance; after expiry the settler refunds the remainder to it, once', async () => {
    const owner = `sender-${Date.now()}`;
    const created = await api.createPacket(
      { totalAmount: 900, count: 3, mode: 'equal', expiresInSeconds: 3 },
      owner,
    );
    const packetId = String(created.body.packetId);
    const claimed = await api.request('POST', `/packets/${packetId}/claims`, {
      headers: { 'x-user-id': 'friend' },
    });
    const paid = await api.eventually(async () => {
      const reply = await api.request<{ status: string }>(
        'GET',
        `/claims/${claimIdFor(packetId, 'friend')}`,
        {
          headers: { 'x-user-id': 'friend' },
        },
      );
      return reply.body.status === 'paid' ? reply.body : undefined;
    });
    const settled = await api.eventually(async () => {
      const reply = await api.request<{ status: string; refunded: number }>('GET', `/packets/${packetId}`, {
        headers: { 'x-user-id': owner },
      });
      return reply.body.status === 'settled' ? reply.body : undefined;
    }, 20_000);
    const balance = await api.request('GET', '/balance', { headers: { 'x-user-id': owner } });

    expect(created).toMatchObject({ status: 201, body: { createdBy: owner } });
    expect(claimed.status).toBe(202);
    expect(paid).toMatchObject({ amount: 300 });
    expect(settled).toMatchObject({ refunded: 600, remaining: 0 });
    expect(balance.body).toMatchObject({
      owner,
      balance: 600,
      credited: 900,
      paidOut: 300,
      refunded: 600,
      openPackets: 0,
    });
    expect(await reconciles(packetId)).toBe(0);
    expect((await runCli(['reconcile', '--owner', owner], env())).code).toBe(0);
  }, 60_000);
});
