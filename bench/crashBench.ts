/**
 * `npm run bench:crash`: time from a lock holder's SIGKILL to the next acquisition, per contender and TTL
 * (see crashSuite.ts). Knobs: BENCH_CRASH_TTLS (500,1000,2000), BENCH_CRASH_REPEATS (3),
 * BENCH_CONTENDERS (comma-separated names; all).
 */
import { startBenchServers } from './benchServers.ts';
import { CONTENDERS } from './contenders/index.ts';
import { crashSuiteSteps, redisStrategiesRecovered, runCrashSuite } from './crashSuite.ts';
import { lockWorkerFile, withoutMissingBackends } from './lockBench.ts';
import { createProgress } from './progress.ts';
import { table, writeResults } from './report.ts';
import { crashTable } from './tables.ts';

/** The crash suite's options from the environment (the knobs above). */
export function crashOptionsFromEnv() {
  return {
    ttls: (process.env.BENCH_CRASH_TTLS ?? '500,1000,2000').split(',').map(Number),
    repeats: Number(process.env.BENCH_CRASH_REPEATS ?? 3),
    contenders: process.env.BENCH_CONTENDERS?.split(',') ?? CONTENDERS.map((c) => c.name),
  };
}

if (import.meta.main) {
  const env = crashOptionsFromEnv();
  const servers = await startBenchServers({ zookeeper: true });
  const options = { ...env, contenders: withoutMissingBackends(env.contenders, servers.zookeeperMissing) };
  const progress = createProgress([{ name: 'crash', steps: crashSuiteSteps(options), estimateSec: 30 }]);
  try {
    const cells = await runCrashSuite({
      ...options,
      workerFile: lockWorkerFile,
      env: servers.env,
      step: progress.phase('crash'),
    });
    progress.end('crash');
    const t = crashTable(cells);
    console.log(table(t.header, t.rows));
    writeResults('crash', { ...options, cells });
    if (!redisStrategiesRecovered(cells)) process.exitCode = 1;
  } finally {
    await servers.stop();
  }
}
