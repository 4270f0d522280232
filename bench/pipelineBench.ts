/**
 * `npm run bench:pipeline`: claims over HTTP through the local stack (serverless-offline, fauxqs, Redis),
 * on one hot packet and spread over 100 packets (see pipelineSuite.ts). Knobs: BENCH_CLAIMS per run
 * (1000), BENCH_CLIENTS (50,200), BENCH_REPEATS (3), BENCH_POLLERS (the stack default, 4).
 */
import { startLocalStack } from '../infra/local/startLocalStack.ts';
import { pipelineSuiteSteps, runPipelineSuite } from './pipelineSuite.ts';
import { createProgress } from './progress.ts';
import { table, writeResults } from './report.ts';
import { pipelineTable } from './tables.ts';

/** The pipeline suite's options from the environment (the knobs above). */
export function pipelineOptionsFromEnv() {
  return {
    claims: Number(process.env.BENCH_CLAIMS ?? 1000),
    clients: (process.env.BENCH_CLIENTS ?? '50,200').split(',').map(Number),
    repeats: Number(process.env.BENCH_REPEATS ?? 3),
    ...(process.env.BENCH_POLLERS ? { pollers: Number(process.env.BENCH_POLLERS) } : {}),
  };
}

/** Starts the local stack on free ports, as the pipeline suite needs it. */
export const startPipelineStack = (pollers?: number) =>
  startLocalStack({ httpPort: 0, lambdaPort: 0, sqsPort: 0, ...(pollers ? { pollers } : {}) });

if (import.meta.main) {
  const options = pipelineOptionsFromEnv();
  const stack = await startPipelineStack(options.pollers);
  const progress = createProgress([
    { name: 'pipeline', steps: pipelineSuiteSteps(options), estimateSec: 80 },
  ]);
  try {
    const cells = await runPipelineSuite({ ...options, stack, step: progress.phase('pipeline') });
    progress.end('pipeline');
    const t = pipelineTable(cells);
    console.log(table(t.header, t.rows));
    writeResults('pipeline', { ...options, cells });
    if (cells.some((c) => !c.median.allPaid)) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}
