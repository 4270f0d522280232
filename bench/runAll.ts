/**
 * `npm run bench`: the whole suite in one run (lock, crash recovery, claims, hand-over between consumers,
 * pipeline over HTTP, the rush on one hot packet with and without reservations, durability and sharding,
 * memory, payout batch), with a progress line per step on stderr. Writes `bench/results/<ISO date>.json`, one
 * SVG chart per scenario in `bench/results/<ISO date>/`, and regenerates the tables in bench/README.md and the
 * README's benchmark section between their marker comments. Knobs: those of each suite's own script
 * (BENCH_DURATION_MS, BENCH_REPEATS, BENCH_CONTENDERS, BENCH_CRASH_TTLS, BENCH_CLAIMS, BENCH_BATCH_ITEMS, …),
 * plus BENCH_SKIP (comma-separated phases to leave out: lock, crash, claims, handoff, pipeline, rush,
 * durability, memory, batch) and
 * BENCH_NO_README=1 (write results and charts only).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { withWorkers } from './benchProcesses.ts';
import { startBenchServers } from './benchServers.ts';
import { batchChart, type Chart, claimsChart, crashChart, lockCharts, pipelineChart } from './charts.ts';
import { CLAIMS_PROCESSES, claimsOptionsFromEnv, claimsWorkerFile } from './claimsBench.ts';
import { type ClaimsCell, claimsSuiteSteps, runClaimsSuite } from './claimsSuite.ts';
import { crashOptionsFromEnv } from './crashBench.ts';
import { type CrashCell, crashSuiteSteps, runCrashSuite } from './crashSuite.ts';
import { durabilityOptionsFromEnv, durabilityWorkerFile } from './durabilityBench.ts';
import { type DurabilityCell, durabilitySuiteSteps, runDurabilitySuite } from './durabilitySuite.ts';
import { handoffOptionsFromEnv, handoffWorkerFile } from './handoffBench.ts';
import { type HandoffCell, handoffSuiteSteps, runHandoffSuite } from './handoffSuite.ts';
import { LOCK_PROCESSES, lockOptionsFromEnv, lockWorkerFile, withoutMissingBackends } from './lockBench.ts';
import { type LockCell, lockSuiteSteps, runLockSuite } from './lockSuite.ts';
import { memoryOptionsFromEnv } from './memoryBench.ts';
import { type MemoryCell, runMemorySuite } from './memorySuite.ts';
import { pipelineOptionsFromEnv, startPipelineStack } from './pipelineBench.ts';
import { type PipelineCell, pipelineSuiteSteps, runPipelineSuite } from './pipelineSuite.ts';
import { clock, createProgress, type Phase } from './progress.ts';
import { benchReadme, summarySection } from './readmeContent.ts';
import { updateMarkedSection } from './readmeSections.ts';
import { table } from './report.ts';
import { rushOptionsFromEnv, startRushStack } from './rushBench.ts';
import { type RushCell, runRushSuite, rushSuiteSteps } from './rushSuite.ts';
import {
  claimsTable,
  crashTable,
  durabilityTable,
  handoffTable,
  headToHeadTable,
  lockTable,
  memoryTable,
  pipelineTable,
  rushTable,
} from './tables.ts';
import { evaluateTargets, targetsTable } from './targets.ts';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const batchScript = fileURLToPath(new URL('./batchBench.ts', import.meta.url));
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');

const lockEnv = lockOptionsFromEnv();
const crashEnv = crashOptionsFromEnv();
const claimsOptions = claimsOptionsFromEnv();
const handoffOptions = handoffOptionsFromEnv();
const pipelineOptions = pipelineOptionsFromEnv();
const rushOptions = rushOptionsFromEnv();
const durabilityOptions = durabilityOptionsFromEnv();
const memoryOptions = memoryOptionsFromEnv();
const hasBatch = existsSync(batchScript);
const avgTtlSec = crashEnv.ttls.reduce((a, b) => a + b, 0) / Math.max(1, crashEnv.ttls.length) / 1000;

const phases: Phase[] = [
  {
    name: 'lock',
    steps: lockSuiteSteps(lockEnv),
    estimateSec: lockSuiteSteps(lockEnv) * (lockEnv.durationMs / 1000 + 0.3),
  },
  {
    name: 'crash',
    steps: crashSuiteSteps(crashEnv),
    estimateSec: crashSuiteSteps(crashEnv) * (avgTtlSec + 2),
  },
  {
    name: 'claims',
    steps: claimsSuiteSteps({ ...claimsOptions, zookeeper: true }),
    estimateSec:
      claimsSuiteSteps({ ...claimsOptions, zookeeper: true }) * (claimsOptions.durationMs / 1000 + 0.4),
  },
  {
    name: 'handoff',
    steps: handoffSuiteSteps(handoffOptions),
    estimateSec: handoffSuiteSteps(handoffOptions) * (handoffOptions.durationMs / 1000 + 0.4),
  },
  {
    name: 'pipeline',
    steps: pipelineSuiteSteps(pipelineOptions),
    estimateSec: 15 + pipelineSuiteSteps(pipelineOptions) * (pipelineOptions.claims / 200),
  },
  {
    name: 'rush',
    steps: rushSuiteSteps(rushOptions),
    estimateSec: 15 + rushSuiteSteps(rushOptions) * (rushOptions.claims / 600),
  },
  {
    name: 'durability',
    steps: durabilitySuiteSteps(durabilityOptions),
    estimateSec: durabilitySuiteSteps(durabilityOptions) * (durabilityOptions.durationMs / 1000 + 2),
  },
  { name: 'memory', steps: 1, estimateSec: memoryOptions.items / 2000 },
  ...(hasBatch ? [{ name: 'batch', steps: 1, estimateSec: 150 }] : []),
].filter((p) => !skip.has(p.name));
const progress = createProgress(phases);
const runs = (name: string) => phases.some((p) => p.name === name);
const phaseSeconds: Record<string, number> = {};

let lock: LockCell[] = [];
let crash: CrashCell[] = [];
let claims: ClaimsCell[] = [];
let handoff: HandoffCell[] = [];
let pipeline: PipelineCell[] = [];
let rush: RushCell[] = [];
let durability: DurabilityCell[] = [];
let memory: MemoryCell | undefined;
let batch: Record<string, unknown> | undefined;
let contenders: string[] = lockEnv.contenders;
let zookeeperMissing: string | undefined;

const servers = await startBenchServers({ zookeeper: runs('lock') || runs('crash') || runs('claims') });
try {
  zookeeperMissing = servers.zookeeperMissing;
  contenders = withoutMissingBackends(lockEnv.contenders, zookeeperMissing);
  if (runs('lock')) {
    lock = await withWorkers(lockWorkerFile, LOCK_PROCESSES, servers.env, (workers) =>
      runLockSuite({ ...lockEnv, contenders, workers, admin: servers.admin, step: progress.phase('lock') }),
    );
    phaseSeconds.lock = progress.end('lock');
  }
  if (runs('crash')) {
    const crashContenders = withoutMissingBackends(crashEnv.contenders, zookeeperMissing);
    crash = await runCrashSuite({
      ...crashEnv,
      contenders: crashContenders,
      workerFile: lockWorkerFile,
      env: servers.env,
      step: progress.phase('crash'),
    });
    phaseSeconds.crash = progress.end('crash');
  }
  if (runs('claims')) {
    claims = await withWorkers(claimsWorkerFile, CLAIMS_PROCESSES, servers.env, (workers) =>
      runClaimsSuite({
        ...claimsOptions,
        zookeeper: servers.zookeeperConnect !== undefined,
        workers,
        admin: servers.admin,
        step: progress.phase('claims'),
      }),
    );
    phaseSeconds.claims = progress.end('claims');
  }
  if (runs('handoff')) {
    const processes = Math.max(...handoffOptions.processes);
    handoff = await withWorkers(handoffWorkerFile, processes, servers.env, (workers) =>
      runHandoffSuite({ ...handoffOptions, workers, admin: servers.admin, step: progress.phase('handoff') }),
    );
    phaseSeconds.handoff = progress.end('handoff');
  }
} finally {
  await servers.stop();
}
if (runs('pipeline')) {
  const step = progress.phase('pipeline');
  step('starting the local stack');
  const stack = await startPipelineStack(pipelineOptions.pollers);
  try {
    pipeline = await runPipelineSuite({ ...pipelineOptions, stack, step });
  } finally {
    await stack.stop();
  }
  phaseSeconds.pipeline = progress.end('pipeline');
}
if (runs('rush')) {
  const step = progress.phase('rush');
  step('starting the local stack behind an SQS tap');
  const stack = await startRushStack();
  try {
    rush = await runRushSuite({ ...rushOptions, ...stack, step });
  } finally {
    await stack.stop();
  }
  phaseSeconds.rush = progress.end('rush');
}
if (runs('durability')) {
  durability = await withWorkers(durabilityWorkerFile, 2, {}, (workers) =>
    runDurabilitySuite({ ...durabilityOptions, workers, step: progress.phase('durability') }),
  );
  phaseSeconds.durability = progress.end('durability');
}
if (runs('memory')) {
  progress.phase('memory')(`${memoryOptions.items} claims and ${memoryOptions.items} batch payouts`);
  memory = await runMemorySuite(memoryOptions);
  phaseSeconds.memory = progress.end('memory');
}
if (runs('batch')) {
  progress.phase('batch')(`npm run bench:batch (${process.env.BENCH_BATCH_ITEMS ?? '100000'} rows)`);
  batch = await runBatchBench();
  phaseSeconds.batch = progress.end('batch');
}

const wallSec = progress.elapsedSec();
const targets = evaluateTargets({ lock, crash, claims, handoff, batch, wallSec });
const charts: Chart[] = [
  ...lockCharts(lock),
  ...(crash.length ? [crashChart(crash)] : []),
  ...(claims.length ? [claimsChart(claims)] : []),
  ...(pipeline.length ? [pipelineChart(pipeline)] : []),
  ...(batch ? [batchChart(batch)] : []),
];
mkdirSync(`${resultsDir}${stamp}`, { recursive: true });
for (const chart of charts) writeFileSync(`${resultsDir}${stamp}/${chart.name}.svg`, chart.svg);
const results = {
  startedAt: startedAt.toISOString(),
  wallSec,
  phaseSeconds,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverageAtEnd: loadavg() },
  options: {
    lock: { ...lockEnv, contenders, processes: LOCK_PROCESSES },
    crash: crashEnv,
    claims: claimsOptions,
    handoff: handoffOptions,
    pipeline: pipelineOptions,
    rush: rushOptions,
    durability: durabilityOptions,
    memory: memoryOptions,
  },
  zookeeperMissing,
  targets,
  lock,
  crash,
  claims,
  handoff,
  pipeline,
  rush,
  durability,
  memory,
  batch,
  charts: charts.map((c) => `${stamp}/${c.name}.svg`),
};
writeFileSync(`${resultsDir}${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`);

for (const [title, t] of [
  ['Targets', targetsTable(targets)],
  ['Lock', lockTable(lock)],
  ['Ours vs the libraries', headToHeadTable(lock)],
  ['Crash recovery', crashTable(crash)],
  ['Claims', claimsTable(claims)],
  ['Hand-over', handoffTable(handoff)],
  ['Pipeline', pipelineTable(pipeline)],
  ['Rush: grab, then open, against the door as it was', rushTable(rush)],
  ['Durability and sharding', durabilityTable(durability)],
  ...(memory ? ([['Memory', memoryTable(memory)]] as const) : []),
] as const) {
  if (t.rows.length) console.log(`\n${title}\n${table(t.header, t.rows)}`);
}
if (batch) console.log(`\nPayout batch\n${JSON.stringify(batch, null, 2)}`);
if (process.env.BENCH_NO_README !== '1' && skip.size === 0) {
  const content = { stamp, results, charts };
  updateMarkedSection(
    fileURLToPath(new URL('./README.md', import.meta.url)),
    'bench:results',
    benchReadme(content),
  );
  updateMarkedSection(
    fileURLToPath(new URL('../README.md', import.meta.url)),
    'bench:summary',
    summarySection(content),
  );
  // Biome formats Markdown too (it pads table columns): keep `npm test` green after a bench run.
  spawnSync(
    fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)),
    ['format', '--write', 'README.md', 'bench/README.md'],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: 'ignore',
    },
  );
}
console.log(`\nwritten ${resultsDir}${stamp}.json and ${charts.length} charts in ${resultsDir}${stamp}/`);
console.log(`total wall time ${clock(wallSec)} (${Math.round(wallSec)} s)`);
if (
  lock.some((c) => !c.median.counterOk) ||
  claims.some((c) => !c.median.reconciled) ||
  rush.some((c) => !c.median.ok) ||
  durability.some((c) => !c.reconciled)
)
  process.exitCode = 1;

/** Runs the lead's `bench/batchBench.ts` as its own process; resolves with the results JSON it wrote. */
async function runBatchBench(): Promise<Record<string, unknown> | undefined> {
  const before = Date.now();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', batchScript], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.pipe(process.stderr);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const written = readdirSync(resultsDir)
    .filter((f) => /^batch-.*\.json$/.test(f) && statSync(`${resultsDir}${f}`).mtimeMs >= before)
    .sort();
  const file = written.at(-1);
  if (!file) {
    process.stderr.write(`bench:batch exited with ${code} and wrote no results\n`);
    return undefined;
  }
  return {
    ...(JSON.parse(readFileSync(`${resultsDir}${file}`, 'utf8')) as Record<string, unknown>),
    exitCode: code,
    file,
  };
}
