/**
 * `npm run bench:handoff`: the Lambda-shaped scenario (see handoffSuite.ts): 4 and 8 consumer processes,
 * each with one batch in flight, groups of 10 and 100 claims on one hot packet, against the lock-free
 * script in the same round; claims/s, the hand-over gap between processes, commands per claim. Knobs:
 * BENCH_HANDOFF_PROCESSES (4,8), BENCH_HANDOFF_GROUPS (10,100), BENCH_HANDOFF_DURATION_MS per run (1500),
 * BENCH_REPEATS (3).
 */
import { fileURLToPath } from 'node:url';
import { forkWorkers } from './benchProcesses.ts';
import { startBenchServers } from './benchServers.ts';
import { handoffSuiteSteps, runHandoffSuite } from './handoffSuite.ts';
import { createProgress } from './progress.ts';
import { table, writeResults } from './report.ts';
import { handoffTable } from './tables.ts';

export const handoffWorkerFile = fileURLToPath(new URL('./handoffWorker.ts', import.meta.url));

const numbers = (value: string) => value.split(',').filter(Boolean).map(Number);

/** The hand-over suite's options from the environment (the knobs above). */
export function handoffOptionsFromEnv() {
  return {
    processes: numbers(process.env.BENCH_HANDOFF_PROCESSES ?? '4,8'),
    groupSizes: numbers(process.env.BENCH_HANDOFF_GROUPS ?? '10,100'),
    durationMs: Number(process.env.BENCH_HANDOFF_DURATION_MS ?? 1500),
    repeats: Number(process.env.BENCH_REPEATS ?? 3),
  };
}

if (import.meta.main) {
  const options = handoffOptionsFromEnv();
  const servers = await startBenchServers({ zookeeper: false });
  const workers = await forkWorkers(handoffWorkerFile, Math.max(...options.processes), servers.env);
  const progress = createProgress([{ name: 'handoff', steps: handoffSuiteSteps(options), estimateSec: 60 }]);
  try {
    const cells = await runHandoffSuite({
      ...options,
      workers,
      admin: servers.admin,
      step: progress.phase('handoff'),
    });
    progress.end('handoff');
    const t = handoffTable(cells);
    console.log(table(t.header, t.rows));
    writeResults('handoff', { ...options, cells });
  } finally {
    for (const w of workers) w.kill();
    await servers.stop();
  }
}
