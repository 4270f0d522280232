/**
 * `npm run bench:lock`: one hot resource, 1 / 16 / 128 operations in flight split over 2 processes, for
 * each lock strategy and the lock-free baseline (one script doing the same read-modify-write). Every
 * scenario runs side by side in one invocation; ratios are to the baseline of the same run.
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startRedisServer } from '../infra/local/redisServer.ts';
import { commandCount, forkWorkers, runTask, share } from './benchProcesses.ts';
import type { BenchMode, BenchReport, BenchTask } from './lockBenchWorker.ts';
import { percentile, progress, table, writeResults } from './report.ts';

const PROCESSES = 2;
const IN_FLIGHT = (process.env.BENCH_IN_FLIGHT ?? '1,16,128').split(',').map(Number);
const MODES: BenchMode[] = ['lock-free', 'getset', 'set-nx-px', 'getset+pipelined', 'set-nx-px+pipelined'];
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);

interface Row {
  mode: BenchMode;
  inFlight: number;
  opsPerSec: number;
  waitP50Ms: number;
  waitP99Ms: number;
  waitMaxMs: number;
  takeovers: number;
  refused: number;
  roundTripsPerOp: number;
  redisCommandsPerOp: number;
  ratioToLockFree: number;
  counterOk: boolean;
}

const server = await startRedisServer();
const admin = new Redis(server.url);
const workerFile = fileURLToPath(new URL('./lockBenchWorker.ts', import.meta.url));

async function scenario(
  mode: BenchMode,
  inFlight: number,
  index: number,
): Promise<Omit<Row, 'ratioToLockFree'>> {
  const resource = `bench-${index}`;
  const workers = await forkWorkers(workerFile, PROCESSES, { REDIS_URL: server.url });
  const before = await commandCount(admin);
  const started = performance.now();
  const empty: BenchReport = { type: 'report', ops: 0, waits: [], takeovers: 0, refused: 0, roundTrips: 0 };
  const reports = await Promise.all(
    workers.map((w, i) => {
      const loops = share(inFlight, PROCESSES, i);
      const task: BenchTask = { type: 'run', mode, loops, durationMs: DURATION_MS, resource };
      return loops === 0 ? Promise.resolve(empty) : runTask<BenchReport>(w, task);
    }),
  );
  const elapsedSec = (performance.now() - started) / 1000;
  const commands = (await commandCount(admin)) - before;
  for (const w of workers) w.kill();
  const ops = reports.reduce((n, r) => n + r.ops, 0);
  const waits = reports.flatMap((r) => r.waits).sort((a, b) => a - b);
  const counter = Number(await admin.get(`bench:{${resource}}:counter`));
  return {
    mode,
    inFlight,
    opsPerSec: Math.round(ops / elapsedSec),
    waitP50Ms: percentile(waits, 0.5),
    waitP99Ms: percentile(waits, 0.99),
    waitMaxMs: waits.at(-1) ?? 0,
    takeovers: reports.reduce((n, r) => n + r.takeovers, 0),
    refused: reports.reduce((n, r) => n + r.refused, 0),
    roundTripsPerOp: reports.reduce((n, r) => n + r.roundTrips, 0) / Math.max(1, ops),
    redisCommandsPerOp: commands / Math.max(1, ops),
    counterOk: counter === ops,
  };
}

const rows: Row[] = [];
const total = IN_FLIGHT.length * MODES.length;
let index = 0;
for (const inFlight of IN_FLIGHT) {
  let baseline = 0;
  for (const mode of MODES) {
    progress(index, total, `${mode} × ${inFlight} in flight`);
    const row = await scenario(mode, inFlight, index++);
    if (mode === 'lock-free') baseline = row.opsPerSec;
    rows.push({ ...row, ratioToLockFree: baseline ? row.opsPerSec / baseline : 0 });
  }
}
progress(total, total, 'done');

console.log(
  table(
    [
      'mode',
      'in flight',
      'ops/s',
      '× lock-free',
      'wait p50 ms',
      'wait p99 ms',
      'wait max ms',
      'takeovers',
      'RT/op',
      'cmds/op',
      'counter',
    ],
    rows.map((r) => [
      r.mode,
      r.inFlight,
      r.opsPerSec,
      r.ratioToLockFree.toFixed(3),
      r.waitP50Ms.toFixed(2),
      r.waitP99Ms.toFixed(2),
      r.waitMaxMs.toFixed(1),
      r.takeovers,
      r.roundTripsPerOp.toFixed(2),
      r.redisCommandsPerOp.toFixed(1),
      r.counterOk ? 'exact' : 'WRONG',
    ]),
  ),
);
writeResults('lock', { durationMs: DURATION_MS, processes: PROCESSES, rows });
admin.disconnect();
await server.stop();
if (rows.some((r) => !r.counterOk)) process.exitCode = 1;
