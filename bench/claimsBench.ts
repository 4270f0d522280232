/**
 * `npm run bench:claims`: one hot packet, groups of 1, 10 and 50 claims, 16 and 128 groups in flight over
 * 2 processes (and groups of 10 under the ZooKeeper backend when its server starts), against the lock-free baseline (one script per claim, a group's scripts sent together; the
 * better of its two rows in the same round). See claimsSuite.ts. Knobs: BENCH_CLAIMS_DURATION_MS per run
 * (1500), BENCH_REPEATS (3), BENCH_CLAIMS_IN_FLIGHT (16,128).
 */
import { fileURLToPath } from 'node:url';
import { forkWorkers } from './benchProcesses.ts';
import { startBenchServers } from './benchServers.ts';
import { claimsSuiteSteps, runClaimsSuite } from './claimsSuite.ts';
import { createProgress } from './progress.ts';
import { table, writeResults } from './report.ts';
import { claimsTable } from './tables.ts';

/** Worker processes the load is split over. */
export const CLAIMS_PROCESSES = 2;
export const claimsWorkerFile = fileURLToPath(new URL('./claimsBenchWorker.ts', import.meta.url));

/** The claims suite's options from the environment (the knobs above). */
export function claimsOptionsFromEnv() {
  return {
    inFlight: (process.env.BENCH_CLAIMS_IN_FLIGHT ?? '16,128').split(',').map(Number),
    durationMs: Number(process.env.BENCH_CLAIMS_DURATION_MS ?? 1500),
    repeats: Number(process.env.BENCH_REPEATS ?? 3),
  };
}

if (import.meta.main) {
  const options = claimsOptionsFromEnv();
  const servers = await startBenchServers({ zookeeper: true });
  const withZooKeeper = { ...options, zookeeper: servers.zookeeperConnect !== undefined };
  const workers = await forkWorkers(claimsWorkerFile, CLAIMS_PROCESSES, servers.env);
  const progress = createProgress([
    { name: 'claims', steps: claimsSuiteSteps(withZooKeeper), estimateSec: 60 },
  ]);
  try {
    const cells = await runClaimsSuite({
      ...withZooKeeper,
      workers,
      admin: servers.admin,
      step: progress.phase('claims'),
    });
    progress.end('claims');
    const t = claimsTable(cells);
    console.log(table(t.header, t.rows));
    writeResults('claims', { ...options, processes: CLAIMS_PROCESSES, cells });
    if (cells.some((c) => !c.median.reconciled)) process.exitCode = 1;
  } finally {
    for (const w of workers) w.kill();
    await servers.stop();
  }
}
