/**
 * `npm run bench:rush`: grab, then open, against the door as it was, in the same run. One hot packet of
 * BENCH_RUSH_SHARES shares (1000) rushed by BENCH_RUSH_CLAIMS distinct users (20000) over HTTP with
 * BENCH_RUSH_CLIENTS concurrent clients (200), through the local stack; BENCH_RUSH_REPEATS rounds of each
 * door, alternating (3). The stack's SQS endpoint is a tap in front of fauxqs (bench/sqsTap.ts), so the
 * messages and consumer invocations are counted at the emulator.
 */

import { startSqsEmulator } from '../infra/local/sqsEmulator.ts';
import { startLocalStack } from '../infra/local/startLocalStack.ts';
import { createProgress } from './progress.ts';
import { table, writeResults } from './report.ts';
import { runRushSuite, rushSuiteSteps } from './rushSuite.ts';
import { startSqsTap } from './sqsTap.ts';
import { rushTable } from './tables.ts';

/** The rush suite's options from the environment (the knobs above). */
export function rushOptionsFromEnv() {
  return {
    shares: Number(process.env.BENCH_RUSH_SHARES ?? 1000),
    claims: Number(process.env.BENCH_RUSH_CLAIMS ?? 20_000),
    clients: Number(process.env.BENCH_RUSH_CLIENTS ?? 200),
    repeats: Number(process.env.BENCH_RUSH_REPEATS ?? 3),
  };
}

/** The local stack on free ports with its SQS endpoint behind a counting tap; `stop()` ends all three. */
export async function startRushStack() {
  const emulator = await startSqsEmulator(0);
  const tap = await startSqsTap(emulator.endpoint);
  const stack = await startLocalStack({ httpPort: 0, lambdaPort: 0, sqsEndpoint: tap.endpoint }).catch(
    async (error: unknown) => {
      await tap.close();
      await emulator.stop();
      throw error;
    },
  );
  return {
    stack,
    tap,
    async stop() {
      await stack.stop();
      await tap.close();
      await emulator.stop();
    },
  };
}

if (import.meta.main) {
  const options = rushOptionsFromEnv();
  const rush = await startRushStack();
  const progress = createProgress([
    { name: 'rush', steps: rushSuiteSteps(options), estimateSec: rushSuiteSteps(options) * 30 },
  ]);
  try {
    const cells = await runRushSuite({ ...options, ...rush, step: progress.phase('rush') });
    progress.end('rush');
    const t = rushTable(cells);
    console.log(table(t.header, t.rows));
    writeResults('rush', { ...options, cells });
    if (cells.some((c) => !c.median.ok)) process.exitCode = 1;
  } finally {
    await rush.stop();
  }
}
