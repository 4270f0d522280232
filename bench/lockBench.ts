/**
 * `npm run bench:lock`: the lock scenarios alone (see lockSuite.ts), against a private Redis and, for the
 * zookeeper contender, a private ZooKeeper. Knobs: BENCH_IN_FLIGHT (1,16,128), BENCH_DURATION_MS per run
 * (1000), BENCH_REPEATS (3), BENCH_CONTENDERS (comma-separated names; all), BENCH_SHAPES (both).
 */
import { fileURLToPath } from 'node:url';
import { forkWorkers } from './benchProcesses.ts';
import { startBenchServers } from './benchServers.ts';
import { CONTENDERS } from './contenders/index.ts';
import { lockSuiteSteps, runLockSuite, SHAPES, type ShapeName } from './lockSuite.ts';
import { createProgress } from './progress.ts';
import { table, writeResults } from './report.ts';
import { headToHeadTable, lockTable } from './tables.ts';

/** Worker processes the load is split over (the "2 processes"). */
export const LOCK_PROCESSES = 2;
/** The worker of the lock and crash benches. */
export const lockWorkerFile = fileURLToPath(new URL('./lockBenchWorker.ts', import.meta.url));

const list = (value: string | undefined) => value?.split(',').filter(Boolean);

/** The lock suite's options from the environment (the knobs above). */
export function lockOptionsFromEnv() {
  return {
    inFlight: (list(process.env.BENCH_IN_FLIGHT) ?? ['1', '16', '128']).map(Number),
    durationMs: Number(process.env.BENCH_DURATION_MS ?? 1000),
    repeats: Number(process.env.BENCH_REPEATS ?? 3),
    shapes: (list(process.env.BENCH_SHAPES) as ShapeName[] | undefined) ?? SHAPES.map((s) => s.name),
    contenders: list(process.env.BENCH_CONTENDERS) ?? CONTENDERS.map((c) => c.name),
  };
}

/** Drops the ZooKeeper contender (with a note on stderr) when no ZooKeeper could be started. */
export function withoutMissingBackends(contenders: string[], zookeeperMissing: string | undefined): string[] {
  if (!zookeeperMissing) return contenders;
  process.stderr.write(`zookeeper contender skipped: ${zookeeperMissing}\n`);
  return contenders.filter((name) => CONTENDERS.find((c) => c.name === name)?.backend !== 'zookeeper');
}

if (import.meta.main) {
  const env = lockOptionsFromEnv();
  const needsZooKeeper = env.contenders.some(
    (name) => CONTENDERS.find((c) => c.name === name)?.backend === 'zookeeper',
  );
  const servers = await startBenchServers({ zookeeper: needsZooKeeper });
  const options = { ...env, contenders: withoutMissingBackends(env.contenders, servers.zookeeperMissing) };
  const workers = await forkWorkers(lockWorkerFile, LOCK_PROCESSES, servers.env);
  const progress = createProgress([{ name: 'lock', steps: lockSuiteSteps(options), estimateSec: 60 }]);
  try {
    const cells = await runLockSuite({
      ...options,
      workers,
      admin: servers.admin,
      step: progress.phase('lock'),
    });
    progress.end('lock');
    const main = lockTable(cells);
    console.log(table(main.header, main.rows));
    const versus = headToHeadTable(cells);
    console.log(`\n${table(versus.header, versus.rows)}`);
    writeResults('lock', { ...options, processes: LOCK_PROCESSES, cells });
    if (cells.some((c) => !c.median.counterOk)) process.exitCode = 1;
  } finally {
    for (const w of workers) w.kill();
    await servers.stop();
  }
}
