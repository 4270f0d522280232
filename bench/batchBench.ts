/**
 * `npm run bench:batch`: one payout batch of BENCH_BATCH_ITEMS (100,000) rows submitted from a CSV file by
 * the operator CLI (`payouts submit --wait`) through the local stack, then `reconcile`. Reports rows sent
 * per second, rows paid per second (first send to last decision), and the time to a verified reconcile.
 *
 * Baseline, measured in the same run on the same emulator: the SQS ceiling, i.e. the same number of
 * messages sent with the same sender (SendMessageBatch, 8 in flight) and received + deleted by as many
 * plain clients as the stack has pollers, with no work in between. A payout cannot be paid faster than its
 * message can be received and deleted, so paid/s ÷ that rate says how much the lock and Redis cost.
 * Each of BENCH_BATCH_REPEATS rounds measures the ceiling and then pays the rows into a fresh packet; the
 * report gives the medians, and paid ÷ ceiling is the median of each round's own ratio.
 * Knobs: BENCH_BATCH_ITEMS (100000), BENCH_BATCH_REPEATS (3), BENCH_POLLERS (the stack default, 4).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startLocalStack } from '../infra/local/startLocalStack.ts';
import type { QueueMessage } from '../lib/queue/queueMessage.ts';
import { sendMessages } from '../lib/queue/sendMessages.ts';
import { median, progress, table, writeResults } from './report.ts';

const ITEMS = Number(process.env.BENCH_BATCH_ITEMS ?? 100_000);
const POLLERS = Number(process.env.BENCH_POLLERS ?? 4);
const CLI = fileURLToPath(new URL('../infra/cli/red-packets.mjs', import.meta.url));
const STEPS = 3;
const REPEATS = Number(process.env.BENCH_BATCH_REPEATS ?? 3);

const stack = await startLocalStack({ httpPort: 0, lambdaPort: 0, sqsPort: 0, pollers: POLLERS });
const dir = mkdtempSync(join(tmpdir(), 'rp-bench-batch-'));
const env = {
  ...process.env,
  REDIS_URL: stack.redisUrl,
  CLAIMS_QUEUE_URL: stack.queues.queueUrl,
  SQS_ENDPOINT: stack.sqsEndpoint,
};
const sqs = new SQSClient({
  region: 'us-east-1',
  endpoint: stack.sqsEndpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** Runs the CLI; resolves with its exit code and stdout (stderr, the progress bars, passes through). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, ms: performance.now() - started }));
  });
}

/** The emulator's own rates for ITEMS messages: send as the CLI does, receive + delete with POLLERS clients. */
async function sqsCeiling(): Promise<{ sentPerSec: number; receivedPerSec: number }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-ceiling-${Date.now()}` }));
  if (!QueueUrl) throw new Error('CreateQueue returned no URL');
  const messages: QueueMessage[] = Array.from({ length: ITEMS }, (_, i) => ({
    v: 2,
    kind: 'payout',
    batchId: 'ceiling',
    packetId: 'pk_ceiling',
    userId: `u${i}`,
    amount: 1,
    requestedAt: Date.now(),
  }));
  let started = performance.now();
  const { sent } = await sendMessages(sqs, QueueUrl, messages);
  const sentPerSec = sent / ((performance.now() - started) / 1000);
  started = performance.now();
  let received = 0;
  let idle = 0;
  const client = async () => {
    while (received < sent && idle < 5) {
      const reply = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const batch = reply.Messages ?? [];
      if (batch.length === 0) idle++;
      received += batch.length;
      if (batch.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: POLLERS }, client));
  const receivedPerSec = received / ((performance.now() - started) / 1000);
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  return { sentPerSec, receivedPerSec };
}

/** One round: the SQS ceiling, then the same rows paid into a fresh packet through the CLI, then reconcile. */
async function round(rep: number, file: string, total: number): Promise<Record<string, number | string>> {
  const step = (i: number, what: string) =>
    progress(rep * STEPS + i, REPEATS * STEPS, `round ${rep + 1}/${REPEATS}: ${what}`);
  step(0, `SQS ceiling: ${ITEMS} messages sent, received and deleted`);
  const ceiling = await sqsCeiling();
  step(1, `payouts submit --wait: ${ITEMS} rows`);
  const created = await cli([
    'packets',
    'create',
    '--total',
    String(total),
    '--count',
    String(ITEMS),
    // Funded by an operator credit of exactly its total, once per round (a packet is paid for).
    '--fund-reference',
    `bench-batch-${process.pid}-${rep}`,
    '--json',
  ]);
  if (created.code !== 0) throw new Error(`packets create exited with ${created.code} (its error is above)`);
  const { packetId } = JSON.parse(created.stdout) as { packetId: string };
  const submit = await cli([
    'payouts',
    'submit',
    '--packet',
    packetId,
    '--file',
    file,
    '--wait',
    '--wait-timeout',
    '1800',
    '--json',
  ]);
  const report = JSON.parse(submit.stdout) as {
    sent: number;
    sendMs: number;
    settleMs: number;
    status: { paid: number; paidAmount: number };
  };
  step(2, 'reconcile');
  const reconcile = await cli(['reconcile', '--packet', packetId, '--json']);
  const reconciled = JSON.parse(reconcile.stdout) as { ok: boolean; paidAmount: number };
  const paidPerSec = report.status.paid / (report.settleMs / 1000);
  return {
    sentPerSec: Math.round(report.sent / (report.sendMs / 1000)),
    paidPerSec: Math.round(paidPerSec),
    ceilingSentPerSec: Math.round(ceiling.sentPerSec),
    ceilingReceivedPerSec: Math.round(ceiling.receivedPerSec),
    paidVsCeiling: Number((paidPerSec / ceiling.receivedPerSec).toFixed(2)),
    secondsToReconciled: Number(((submit.ms + reconcile.ms) / 1000).toFixed(1)),
    reconcileSeconds: Number((reconcile.ms / 1000).toFixed(1)),
    allPaid: report.status.paid === ITEMS && report.status.paidAmount === total ? 'yes' : 'NO',
    reconciled: reconciled.ok && reconciled.paidAmount === total ? 'yes' : 'NO',
    submitExit: submit.code ?? -1,
  };
}

let result: Record<string, unknown> = {};
try {
  const rows = Array.from({ length: ITEMS }, (_, i) => `payee-${i},${1 + ((i * 7919) % 1000)}`);
  const total = rows.reduce((sum, row) => sum + Number(row.split(',')[1]), 0);
  const file = join(dir, 'payees.csv');
  writeFileSync(file, `userId,amount\n${rows.join('\n')}\n`);
  const runs: Array<Record<string, number | string>> = [];
  for (let rep = 0; rep < REPEATS; rep++) runs.push(await round(rep, file, total));
  progress(REPEATS * STEPS, REPEATS * STEPS, 'done');
  // Medians of the rounds; paid ÷ ceiling is the median of each round's own ratio.
  const mid = (key: string) => median(runs.map((r) => Number(r[key])));
  result = {
    items: ITEMS,
    pollers: POLLERS,
    repeats: REPEATS,
    sentPerSec: Math.round(mid('sentPerSec')),
    paidPerSec: Math.round(mid('paidPerSec')),
    ceilingSentPerSec: Math.round(mid('ceilingSentPerSec')),
    ceilingReceivedPerSec: Math.round(mid('ceilingReceivedPerSec')),
    paidVsCeiling: Number(mid('paidVsCeiling').toFixed(2)),
    secondsToReconciled: Number(mid('secondsToReconciled').toFixed(1)),
    reconcileSeconds: Number(mid('reconcileSeconds').toFixed(1)),
    allPaid: runs.every((r) => r.allPaid === 'yes') ? 'yes' : 'NO',
    reconciled: runs.every((r) => r.reconciled === 'yes') ? 'yes' : 'NO',
    submitExit: Math.max(...runs.map((r) => Number(r.submitExit))),
    runs,
  };
} finally {
  sqs.destroy();
  rmSync(dir, { recursive: true, force: true });
  await stack.stop();
}

const line = (label: string, r: Record<string, unknown>) => [
  label,
  String(r.sentPerSec),
  String(r.paidPerSec),
  String(r.ceilingSentPerSec),
  String(r.ceilingReceivedPerSec),
  String(r.paidVsCeiling),
  `${r.secondsToReconciled} s`,
  r.allPaid === 'yes' && r.reconciled === 'yes' ? 'yes' : 'NO',
];
const runs = (result.runs ?? []) as Array<Record<string, unknown>>;
console.log(
  table(
    [
      `${ITEMS} rows`,
      'sent/s',
      'paid/s',
      'SQS ceiling sent/s',
      'received+deleted/s',
      'paid ÷ ceiling',
      'to reconciled',
      'ok',
    ],
    [...runs.map((r, i) => line(`round ${i + 1}`, r)), line('median', result)],
  ),
);
writeResults('batch', result);
if (result.allPaid !== 'yes' || result.reconciled !== 'yes' || result.submitExit !== 0) process.exitCode = 1;
