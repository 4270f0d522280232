import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packetKeys } from '../../lib/packets/index.ts';
import { QUICK_LOCK, useLocalStack } from '../harness/localStackFixture.ts';
import { runCli, spawnCli } from '../harness/runCliProcess.ts';

const api = useLocalStack({ visibilityTimeoutSeconds: 5, ...QUICK_LOCK });
const dir = mkdtempSync(join(tmpdir(), 'rp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI's connection, as an operator would export it after `npm start`. */
const env = () => ({
  REDIS_URL: api.stack.redisUrl,
  CLAIMS_QUEUE_URL: api.stack.queues.queueUrl,
  SQS_ENDPOINT: api.stack.sqsEndpoint,
});

function writeCsv(name: string, rows: ReadonlyArray<readonly [string, number]>): string {
  const path = join(dir, name);
  writeFileSync(path, `userId,amount\n${rows.map(([user, amount]) => `${user},${amount}`).join('\n')}\n`);
  return path;
}

async function createPacket(totalAmount: number, count: number): Promise<string> {
  const run = await runCli(
    [
      'packets',
      'create',
      '--total',
      String(totalAmount),
      '--count',
      String(count),
      '--fund-reference',
      `cli-${randomUUID()}`,
      '--json',
    ],
    env(),
  );
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { packetId: string }).packetId;
}

/** Waits until earlier tests' messages (duplicates included) have left the queue. */
const drained = () =>
  api.eventually(async () => ((await api.queueDepth(api.stack.queues.queueUrl)) === 0 ? true : undefined));

/** Ledger entries and decided records of a packet, read straight from Redis. */
async function ledger(packetId: string) {
  const keys = packetKeys('rp:', packetId);
  const entries = await api.redis.xrange(keys.ledger, '-', '+');
  const ids = entries.map(([, fields]) => fields[fields.indexOf('id') + 1]);
  return { count: entries.length, distinctIds: new Set(ids).size };
}

describe('operator CLI: payouts from a file through the local stack', () => {
  it('pays a 10,000-row file exactly: every row once, the sum to the unit, and reconcile passes', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`winner-${i}`, 1 + ((i * 7919) % 500)] as const);
    const total = rows.reduce((sum, [, amount]) => sum + amount, 0);
    const packetId = await createPacket(total, rows.length);
    const file = writeCsv('winners-10k.csv', rows);

    const run = await runCli(
      ['payouts', 'submit', '--packet', packetId, '--file', file, '--wait', '--json'],
      env(),
    );
    const report = JSON.parse(run.stdout);
    const reconciled = await runCli(['reconcile', '--packet', packetId], env());

    expect(run.code, run.stderr).toBe(0);
    expect(report).toMatchObject({
      rows: 10_000,
      invalid: [],
      sent: 10_000,
      alreadyDecided: 0,
      refused: [],
      unsent: [],
      outcome: 'paid',
      status: { items: 10_000, queued: 0, paid: 10_000, paidAmount: total, rejected: {} },
    });
    expect(run.stderr).toMatch(/sending \[#+\] 100% 10000\/10000/);
    expect(run.stderr).toMatch(/paying {2}\[#+\] 100% 10000\/10000/);
    expect(reconciled.code, reconciled.stdout).toBe(0);
    expect(reconciled.stdout).toContain(`paid        ${total} in 10000 payouts`);
    expect(await ledger(packetId)).toEqual({ count: 10_000, distinctIds: 10_000 });
  }, 240_000);

  it('a file half-sent by a killed CLI, then submitted again (twice), pays every row exactly once', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => [`half-${i}`, 100] as const);
    const packetId = await createPacket(1_000_000, 10_000);
    const file = writeCsv('half.csv', rows);

    // Consumers down, so the queue shows how much the first run sent before it died.
    await api.stack.killOffline();
    const first = spawnCli(
      ['payouts', 'submit', '--packet', packetId, '--file', file, '--senders', '1'],
      env(),
    );
    await api.eventually(async () =>
      (await api.queueDepth(api.stack.queues.queueUrl)) >= 500 ? true : undefined,
    );
    first.child.kill('SIGKILL');
    const killed = await first.done;
    const sentBeforeCrash = await api.queueDepth(api.stack.queues.queueUrl);
    await api.stack.restartOffline();

    const again = await runCli(
      ['payouts', 'submit', '--packet', packetId, '--file', file, '--wait', '--json'],
      env(),
    );
    const third = await runCli(
      ['payouts', 'submit', '--packet', packetId, '--file', file, '--wait', '--json'],
      env(),
    );

    expect(killed.signal).toBe('SIGKILL');
    expect(sentBeforeCrash).toBeGreaterThanOrEqual(500);
    expect(sentBeforeCrash).toBeLessThan(rows.length); // really half-sent
    expect(again.code, again.stderr).toBe(0);
    const [second, last] = [JSON.parse(again.stdout), JSON.parse(third.stdout)];
    expect(second.batchId).toBe(last.batchId); // derived from the content: the same batch each time
    for (const report of [second, last]) {
      expect(report.status).toMatchObject({ items: 4000, queued: 0, paid: 4000, paidAmount: 400_000 });
    }
    // The second run sent only what the first had not decided; the third found every row decided.
    expect(second.sent + second.alreadyDecided).toBe(4000);
    expect(last).toMatchObject({ sent: 0, alreadyDecided: 4000 });
    expect(third.code).toBe(0);
    expect(await ledger(packetId)).toEqual({ count: 4000, distinctIds: 4000 });
    expect((await runCli(['reconcile', '--packet', packetId], env())).code).toBe(0);
  }, 240_000);

  it('over budget: the rows that fit are paid, the rest reported by line as insufficient_budget, exit 1', async () => {
    const packetId = await createPacket(1000, 10);
    const file = writeCsv('over.csv', [
      ['w0', 300],
      ['w1', 300],
      ['w2', 300],
      ['w3', 300],
      ['w4', 50],
    ]);

    const run = await runCli(['payouts', 'submit', '--packet', packetId, '--file', file, '--wait'], env());

    // Three 300s and the 50 fit whatever the order; one 300 cannot (see payoutBatches.test.ts).
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/paid {8}4 \(sum 950\)/);
    expect(run.stdout).toMatch(/rejected {4}1 \(insufficient_budget: 1\)/);
    expect(run.stdout).toMatch(/line [2-5] \(user w[0-3]\): insufficient_budget/);
    expect(run.stdout).toContain('INCOMPLETE');
    const batchId = /^batch (\S+)/.exec(run.stdout)?.[1] ?? '';
    const status = await runCli(['payouts', 'status', '--batch', batchId], env());
    expect(status.code).toBe(1);
    expect((await runCli(['reconcile', '--packet', packetId], env())).code).toBe(0);
  }, 120_000);

  describe('bad files: a clear error with line numbers, exit 2, and nothing enqueued', () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['wrong columns', 'userId,amount\nu1,10\nu2,10,extra\n', /line 3: wrong_columns/],
      ['bad header', 'user,amount\nu1,10\n', /line 1: bad_header/],
      [
        'bad amounts',
        'userId,amount\nu1,10\nu2,1.50\nu3,-4\nu4,\n',
        /3 invalid rows:\n {2}line 3: bad_amount/,
      ],
      [
        'duplicate rows',
        'userId,amount\nu1,10\nu2,5\nu1,10\n',
        /line 4: duplicate_row: user u1 is already listed on line 2/,
      ],
      ['empty file', '', /line 0: empty_file/],
      ['header only', 'userId,amount\n', /line 0: empty_file/],
      ['wrong encoding', Buffer.from('userId,amount\nJos\xe9,10\n', 'latin1'), /line 0: bad_encoding/],
      ['not JSON', '[{"userId": "a", "amount": 1},', /line 0: bad_json/],
    ];
    it.each(cases)('%s', async (name, content, message) => {
      const packetId = await createPacket(10_000, 100);
      const file = join(dir, `${name.replace(/ /g, '-')}.${name === 'not JSON' ? 'json' : 'csv'}`);
      writeFileSync(file, content);
      await drained();
      const before = await api.redis.hlen('rp:batches');

      const run = await runCli(['payouts', 'submit', '--packet', packetId, '--file', file, '--wait'], env());

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('nothing was enqueued');
      expect(await api.queueDepth(api.stack.queues.queueUrl)).toBe(0);
      expect(await api.redis.hlen('rp:batches')).toBe(before);
      expect(await api.redis.hlen(packetKeys('rp:', packetId).claims)).toBe(0);
    });

    it('a file over 32 MiB is refused before it is read', async () => {
      await drained();
      const file = join(dir, 'huge.csv');
      writeFileSync(file, `userId,amount\n${'u,1\n'.repeat(8_500_000)}`);
      const run = await runCli(['payouts', 'submit', '--packet', 'pk_any', '--file', file], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/file_too_large/);
      expect(await api.queueDepth(api.stack.queues.queueUrl)).toBe(0);
    });

    it('--skip-invalid sends the valid rows, reports the invalid ones by line, and exits 1', async () => {
      const packetId = await createPacket(10_000, 100);
      const file = writeCsv('mixed.csv', [
        ['ok-1', 10],
        ['ok-2', 0],
        ['ok-3', 30],
      ]);
      const refused = await runCli(['payouts', 'submit', '--packet', packetId, '--file', file], env());
      const run = await runCli(
        ['payouts', 'submit', '--packet', packetId, '--file', file, '--skip-invalid', '--wait'],
        env(),
      );

      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/line 3: bad_amount/);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/rows {8}3 \(1 invalid, skipped\)/);
      expect(run.stdout).toMatch(/line 3: bad_amount/);
      expect(run.stdout).toMatch(/paid {8}2 \(sum 40\)/);
    }, 60_000);
  });

  it('flags and connections: usage errors exit 2, an unreachable Redis or queue exits 3', async () => {
    const unknown = await runCli(['payouts', 'submit', '--packet', 'p', '--file', 'f', '--bogus'], env());
    const missing = await runCli(['payouts', 'submit', '--file', 'f'], env());
    const badNumber = await runCli(['packets', 'create', '--total', '1e3', '--count', '1'], env());
    const unknownPacket = await runCli(['reconcile', '--packet', 'pk_missing'], env());
    const down = await runCli(['reconcile', '--packet', 'pk_x'], {
      ...env(),
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    const packetId = await createPacket(1000, 10);
    const file = writeCsv('one.csv', [['q1', 10]]);
    const queueDown = await runCli(['payouts', 'submit', '--packet', packetId, '--file', file], {
      ...env(),
      SQS_ENDPOINT: 'http://127.0.0.1:1',
    });

    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--bogus'/) });
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs --packet/) });
    expect(badNumber).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--total must be a whole number/),
    });
    expect(unknownPacket).toMatchObject({ code: 2, stderr: expect.stringMatching(/no packet "pk_missing"/) });
    expect(queueDown).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/could not send any of the 1 rows to the queue/),
    });
    expect(down).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/cannot reach Redis at redis:\/\/127.0.0.1:1/),
    });
  }, 60_000);
});

describe('operator CLI: money in, packets out, refunds back', () => {
  it('credits once per reference, funds a packet from the balance, settles it after expiry, exports its ledger, reconciles the owner', async () => {
    const owner = `op:campaign-${randomUUID()}`;
    const reference = `wire-${randomUUID()}`;
    const credit = [
      'balances',
      'credit',
      '--owner',
      owner,
      '--amount',
      '1000',
      '--reference',
      reference,
      '--json',
    ];
    const first = await runCli(credit, env());
    const again = await runCli(credit, env());
    const conflict = await runCli([...credit.slice(0, 5), '999', ...credit.slice(6)], env());
    const tooBig = await runCli(
      ['packets', 'create', '--owner', owner, '--total', '5000', '--count', '2'],
      env(),
    );
    const created = await runCli(
      [
        'packets',
        'create',
        '--owner',
        owner,
        '--total',
        '1000',
        '--count',
        '4',
        '--mode',
        'equal',
        '--expires-in',
        '8',
        '--json',
      ],
      env(),
    );
    const { packetId, expiresAt } = JSON.parse(created.stdout) as { packetId: string; expiresAt: number };
    const early = await runCli(['packets', 'settle', '--packet', packetId], env());
    const file = writeCsv('settle.csv', [['s1', 250]]);
    const paid = await runCli(['payouts', 'submit', '--packet', packetId, '--file', file, '--wait'], env());
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 100 - Date.now())));
    const settled = await runCli(['packets', 'settle', '--packet', packetId], env());
    const exported = await runCli(['packets', 'export', '--packet', packetId], env());
    const shown = await runCli(['balances', 'show', '--owner', owner, '--json'], env());
    const reconciled = await runCli(['reconcile', '--owner', owner], env());

    expect(first).toMatchObject({ code: 0 });
    expect(JSON.parse(first.stdout)).toMatchObject({ applied: true, account: { balance: 1000 } });
    expect(JSON.parse(again.stdout)).toMatchObject({ applied: false, account: { balance: 1000 } });
    expect(conflict).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/already applied with amount 1000/),
    });
    expect(tooBig).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot fund a packet of 5000/) });
    expect(created.code, created.stderr).toBe(0);
    expect(early).toMatchObject({ code: 1, stderr: expect.stringMatching(/expires at .*; settle it after/) });
    expect(paid.code, paid.stdout).toBe(0);
    // The settler in the local stack may have been first: either way the refund happened once.
    expect(settled.code, settled.stderr).toBe(0);
    expect(settled.stdout).toMatch(
      new RegExp(`(refunded 750 to ${owner}|settled before \\(refunded 750\\))`),
    );
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind?: string; amount: number });
    expect(lines.map((l) => [l.kind ?? 'payout', l.amount])).toEqual([
      ['payout', 250],
      ['refund', 750],
    ]);
    expect(exported.stderr).toMatch(/exported 2 ledger entries/);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      balance: 750,
      credited: 1000,
      paidOut: 250,
      refunded: 750,
    });
    expect(reconciled).toMatchObject({ code: 0, stdout: expect.stringMatching(/OK/) });
  }, 60_000);
});
