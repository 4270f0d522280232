/**
 * `npm run bench:durability`: what durability and sharding cost. The same load (16 loops over 2 processes,
 * each claim recorded at the door with its WAIT, then decided in groups of 10 by processItems, over 100
 * packets) against one node with AOF everysec and always, a primary + replica with REDIS_MIN_REPLICAS 0
 * and 1, and a 3-primary cluster; ratios to the first row, round by round. Knobs: BENCH_DURABILITY_MS per
 * run (3000), BENCH_REPEATS (3).
 */
import { fileURLToPath } from 'node:url';
import { forkWorkers } from './benchProcesses.ts';
import { durabilitySuiteSteps, runDurabilitySuite } from './durabilitySuite.ts';
import { createProgress } from './progress.ts';
import { table, writeResults } from './report.ts';
import { durabilityTable } from './tables.ts';

export const durabilityWorkerFile = fileURLToPath(new URL('./durabilityWorker.ts', import.meta.url));

export function durabilityOptionsFromEnv() {
  return {
    durationMs: Number(process.env.BENCH_DURABILITY_MS ?? 3000),
    repeats: Number(process.env.BENCH_REPEATS ?? 3),
  };
}

if (import.meta.main) {
  const options = durabilityOptionsFromEnv();
  const workers = await forkWorkers(durabilityWorkerFile, 2, {});
  const progress = createProgress([
    {
      name: 'durability',
      steps: durabilitySuiteSteps(options),
      estimateSec: durabilitySuiteSteps(options) * 6,
    },
  ]);
  try {
    const cells = await runDurabilitySuite({ ...options, workers, step: progress.phase('durability') });
    progress.end('durability');
    const t = durabilityTable(cells);
    console.log(`\n${table(t.header, t.rows)}`);
    writeResults('durability', { options, cells });
  } finally {
    for (const w of workers) w.kill();
  }
}
