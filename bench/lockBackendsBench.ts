/**
 * `npm run bench:backends`: the three lock backends (LOCK_BACKEND = redis-getset, redis-setnx, zookeeper)
 * side by side in one run, on one hot resource, 2 worker processes, against a private Redis and a private
 * standalone ZooKeeper on loopback. Lock rows: a locked read-modify-write of one counter, in the plain form
 * (acquire, GET, fenced SET, release) and the pipelined form the payout pipeline uses; claims rows: groups
 * of 10 fresh claims through `processItems`. Fairness is Jain's index over the loops' completed
 * operations (1 = every loop got the same share; 1/n = one loop got everything) and the max/min share.
 * Knobs: BENCH_DURATION_MS (3000), BENCH_IN_FLIGHT (1,16,64).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startRedisServer } from '../infra/local/redisServer.ts';
import { startZooKeeperServer } from '../infra/local/zookeeperServer.ts';
import { LOCK_BACKENDS, type LockBackend } from '../lib/lock/index.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import { forkWorkers, runTask, share } from './benchProcesses.ts';
import type { BackendReport, BackendTask } from './lockBackendsWorker.ts';
import { percentile, progress, table, writeResults } from './report.ts';

const PROCESSES = 2;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const IN_FLIGHT = (process.env.BENCH_IN_FLIGHT ?? '1,16,64').split(',').map(Number);
const CLAIMS_IN_FLIGHT = 16;
const GROUP_SIZE = 10;

const redisServer = await startRedisServer({ persistence: 'none' });
const zookeeper = await startZooKeeperServer();
const admin = new Redis(redisServer.url);
const rp = createRedPackets(admin);
const workerFile = fileURLToPath(new URL('./lockBackendsWorker.ts', import.meta.url));
const env = { REDIS_URL: redisServer.url, ZOOKEEPER_CONNECT: `${zookeeper.connectString}/red-packets` };

interface Row {
  what: string;
  backend: LockBackend;
  inFlight: number;
  perSec: number;
  waitP50Ms: number;
  waitP99Ms: number;
  waitMaxMs: number;
  /** Jain's fairness index over the loops' completed operations. */
  jain: number;
  /** Largest over smallest loop share (Infinity when a loop completed nothing). */
  maxOverMin: number;
  failures: number;
  ok: boolean;
}

function jain(values: readonly number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

async function scenario(
  task: Omit<BackendTask, 'type' | 'loops' | 'durationMs'>,
  inFlight: number,
  check: (completed: number) => Promise<boolean>,
): Promise<Omit<Row, 'what'>> {
  const workers = await forkWorkers(workerFile, PROCESSES, env);
  const started = performance.now();
  const reports = await Promise.all(
    workers.map((w, i) =>
      runTask<BackendReport>(w, {
        ...task,
        type: 'run',
        loops: share(inFlight, PROCESSES, i),
        durationMs: DURATION_MS,
      } satisfies BackendTask),
    ),
  );
  const elapsedSec = (performance.now() - started) / 1000;
  for (const w of workers) w.kill();
  const perLoop = reports.flatMap((r) => r.perLoop);
  const completed = perLoop.reduce((a, b) => a + b, 0);
  const waits = reports.flatMap((r) => r.waits).sort((a, b) => a - b);
  return {
    backend: task.backend,
    inFlight,
    perSec: Math.round(completed / elapsedSec),
    waitP50Ms: percentile(waits, 0.5),
    waitP99Ms: percentile(waits, 0.99),
    waitMaxMs: waits.at(-1) ?? 0,
    jain: jain(perLoop),
    maxOverMin: Math.max(...perLoop) / Math.min(...perLoop),
    failures: reports.reduce((n, r) => n + r.failures, 0),
    ok: await check(completed),
  };
}

// A cold JVM runs ZooKeeper several times slower for its first seconds: warm it up, unmeasured.
progress(0, 1, 'warming up ZooKeeper');
await scenario(
  { mode: 'lock', backend: 'zookeeper', form: 'plain', resource: 'warm-up', groupSize: 0 },
  16,
  async () => true,
);

const forms = ['plain', 'pipelined'] as const;
const total = IN_FLIGHT.length * forms.length * LOCK_BACKENDS.length + LOCK_BACKENDS.length;
let step = 0;
const lockRows: Row[] = [];
for (const inFlight of IN_FLIGHT) {
  for (const form of forms) {
    for (const backend of LOCK_BACKENDS) {
      progress(step, total, `${backend} ${form} × ${inFlight}`);
      const resource = `bench-${step++}`;
      const row = await scenario(
        { mode: 'lock', backend, form, resource, groupSize: 0 },
        inFlight,
        async (n) => {
          return Number(await admin.get(`rp:{${resource}}:counter`)) === n;
        },
      );
      lockRows.push({ what: form, ...row });
    }
  }
}
const claimRows: Row[] = [];
for (const backend of LOCK_BACKENDS) {
  progress(step++, total, `${backend} claims`);
  const { packetId } = await rp.fundAndCreatePacket(
    { totalAmount: 1_000_000_000_000, count: 1_000_000 },
    `op:bench-${randomUUID()}`,
    randomUUID(),
  );
  const row = await scenario(
    { mode: 'claims', backend, form: 'pipelined', resource: packetId, groupSize: GROUP_SIZE },
    CLAIMS_IN_FLIGHT,
    async (n) => {
      const report = await rp.reconcile(packetId);
      return report.ok && report.records.paid + report.records.rejected === n;
    },
  );
  claimRows.push({ what: `claims, groups of ${GROUP_SIZE}`, ...row });
}
progress(total, total, 'done');

const header = [
  'form',
  'backend',
  'in flight',
  'per s',
  'wait p50 ms',
  'wait p99 ms',
  'wait max ms',
  'Jain',
  'max/min',
  'failures',
  'check',
];
const cells = (r: Row) => [
  r.what,
  r.backend,
  r.inFlight,
  r.perSec,
  r.waitP50Ms.toFixed(2),
  r.waitP99Ms.toFixed(2),
  r.waitMaxMs.toFixed(1),
  r.jain.toFixed(3),
  Number.isFinite(r.maxOverMin) ? r.maxOverMin.toFixed(2) : 'inf',
  r.failures,
  r.ok ? 'exact' : 'WRONG',
];
console.log(table(header, lockRows.map(cells)));
console.log();
console.log(table(header, claimRows.map(cells)));
writeResults('backends', { durationMs: DURATION_MS, processes: PROCESSES, lockRows, claimRows });
admin.disconnect();
await redisServer.stop();
await zookeeper.stop();
if ([...lockRows, ...claimRows].some((r) => !r.ok)) process.exitCode = 1;
