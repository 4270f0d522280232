/**
 * `npm run bench:claims`: one hot packet, groups of 1, 10 and 50 claims, 16 and 128 groups in flight over
 * 2 processes, against the lock-free baseline (one script per claim, a group's scripts sent together;
 * the better of its two rows at the same concurrency, measured in the same run). Each
 * scenario gets a fresh packet large enough never to run out; the reconcile verdict is checked after each.
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startRedisServer } from '../infra/local/redisServer.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import { commandCount, forkWorkers, runTask, share } from './benchProcesses.ts';
import type { ClaimsReport, ClaimsTask } from './claimsBenchWorker.ts';
import { percentile, progress, table, writeResults } from './report.ts';

const PROCESSES = 2;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const IN_FLIGHT = (process.env.BENCH_IN_FLIGHT ?? '16,128').split(',').map(Number);
const SCENARIOS: Array<{ mode: ClaimsTask['mode']; groupSize: number }> = [
  { mode: 'lock-free', groupSize: 1 },
  { mode: 'lock-free', groupSize: 10 },
  { mode: 'locked', groupSize: 1 },
  { mode: 'locked', groupSize: 10 },
  { mode: 'locked', groupSize: 50 },
];

const server = await startRedisServer();
const admin = new Redis(server.url);
const rp = createRedPackets(admin);
const workerFile = fileURLToPath(new URL('./claimsBenchWorker.ts', import.meta.url));

interface Row {
  mode: string;
  inFlight: number;
  claimsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  commandsPerClaim: number;
  retries: number;
  ratio: number;
  reconciled: boolean;
}

async function scenario(
  mode: ClaimsTask['mode'],
  groupSize: number,
  inFlight: number,
): Promise<Omit<Row, 'ratio'>> {
  const { packetId } = await rp.createPacket({ totalAmount: 1_000_000_000_000, count: 1_000_000 });
  const workers = await forkWorkers(workerFile, PROCESSES, { REDIS_URL: server.url });
  const before = await commandCount(admin);
  const started = performance.now();
  const reports = await Promise.all(
    workers.map((w, i) =>
      runTask<ClaimsReport>(w, {
        type: 'run',
        mode,
        packetId,
        groupSize,
        loops: share(inFlight, PROCESSES, i),
        durationMs: DURATION_MS,
      } satisfies ClaimsTask),
    ),
  );
  const elapsedSec = (performance.now() - started) / 1000;
  const commands = (await commandCount(admin)) - before;
  for (const w of workers) w.kill();
  const claims = reports.reduce((n, r) => n + r.claims, 0);
  const latencies = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const report = await rp.reconcile(packetId);
  return {
    mode: `${mode}, groups of ${groupSize}`,
    inFlight,
    claimsPerSec: Math.round(claims / elapsedSec),
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    commandsPerClaim: commands / Math.max(1, claims),
    retries: reports.reduce((n, r) => n + r.retries, 0),
    reconciled: report.ok && report.paidCount === claims,
  };
}

const rows: Row[] = [];
const total = IN_FLIGHT.length * SCENARIOS.length;
let done = 0;
for (const inFlight of IN_FLIGHT) {
  let baseline = 0;
  for (const { mode, groupSize } of SCENARIOS) {
    progress(done++, total, `${mode} ×${groupSize}, ${inFlight} in flight`);
    const row = await scenario(mode, groupSize, inFlight);
    // The baseline is the better of the two lock-free rows at this concurrency.
    if (mode === 'lock-free') baseline = Math.max(baseline, row.claimsPerSec);
    rows.push({ ...row, ratio: baseline ? row.claimsPerSec / baseline : 0 });
  }
}
progress(total, total, 'done');

console.log(
  table(
    [
      'mode',
      'in flight',
      'claims/s',
      '× lock-free',
      'call p50 ms',
      'call p99 ms',
      'cmds/claim',
      'retries',
      'reconcile',
    ],
    rows.map((r) => [
      r.mode,
      r.inFlight,
      r.claimsPerSec,
      r.ratio.toFixed(2),
      r.latencyP50Ms.toFixed(2),
      r.latencyP99Ms.toFixed(2),
      r.commandsPerClaim.toFixed(1),
      r.retries,
      r.reconciled ? 'ok' : 'FAILED',
    ]),
  ),
);
writeResults('claims', { durationMs: DURATION_MS, processes: PROCESSES, rows });
admin.disconnect();
await server.stop();
if (rows.some((r) => !r.reconciled)) process.exitCode = 1;
