import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import { commandCount, runTask, share } from './benchProcesses.ts';
import { CONTENDERS } from './contenders/index.ts';
import { counterKey, type LockTask, type ThroughputReport } from './lockTask.ts';
import type { StepReporter } from './progress.ts';
import { jainIndex, median, percentile } from './report.ts';

/** How the increments spread: all on one hot resource, or uniformly over 100. */
export const SHAPES = [
  { name: 'one hot resource', resources: 1 },
  { name: '100 resources', resources: 100 },
] as const;

export type ShapeName = (typeof SHAPES)[number]['name'];

/** Options of {@link runLockSuite}. */
export interface LockSuiteOptions {
  /** Worker processes (already forked from `lockBenchWorker.ts`): the load is split over them. */
  workers: readonly ChildProcess[];
  /** A connection for INFO commandstats and the counter check. */
  admin: Redis;
  /** Contender names, baseline first. @defaultValue every contender */
  contenders?: readonly string[];
  shapes?: readonly ShapeName[];
  inFlight: readonly number[];
  durationMs: number;
  repeats: number;
  step?: StepReporter;
}

/** What one run of one contender in one cell measured. */
export interface LockRun {
  opsPerSec: number;
  waitP50Ms: number;
  waitP99Ms: number;
  waitMaxMs: number;
  /** Commands Redis ran per op (INFO commandstats: the calls inside scripts count too). */
  commandsPerOp: number;
  /** Commands the clients sent per op (a script is one). */
  clientCommandsPerOp: number;
  failures: number;
  /**
   * Jain's fairness index over the loops' increments in the window: 1 when every loop got the same share,
   * 1/n when one of n loops got everything (a lock that lets the releaser re-acquire starves the rest).
   */
  fairness: number;
  /** The counters add up to the increments completed (no lost update). */
  counterOk: boolean;
  /** ops/s over the lock-free baseline's ops/s in the same repeat of the same cell. */
  ratioToLockFree: number;
}

/** One contender in one cell (shape × in flight): every run, and the medians over them. */
export interface LockCell {
  shape: ShapeName;
  inFlight: number;
  contender: string;
  runs: LockRun[];
  /** Median of each metric over the runs; `counterOk` only if every run's was; `failures` summed. */
  median: LockRun;
}

/** Steps (runs) the suite takes with `options`: for progress and the ETA. */
export function lockSuiteSteps(options: Omit<LockSuiteOptions, 'workers' | 'admin'>): number {
  const contenders = options.contenders?.length ?? CONTENDERS.length;
  return (options.shapes?.length ?? SHAPES.length) * options.inFlight.length * options.repeats * contenders;
}

/**
 * The lock scenarios: for each shape and in-flight count, `repeats` rounds in which every contender runs
 * once for `durationMs` (in a rotating order, so drift in the machine's load spreads over all of them).
 */
export async function runLockSuite(options: LockSuiteOptions): Promise<LockCell[]> {
  const names = options.contenders ?? CONTENDERS.map((c) => c.name);
  const shapes = SHAPES.filter((s) => (options.shapes ?? SHAPES.map((x) => x.name)).includes(s.name));
  const cells: LockCell[] = [];
  let cellIndex = 0;
  for (const shape of shapes) {
    for (const inFlight of options.inFlight) {
      const runs = new Map<string, Array<Omit<LockRun, 'ratioToLockFree'>>>(names.map((n) => [n, []]));
      for (let rep = 0; rep < options.repeats; rep++) {
        const order = names.map((_, i) => names[(i + rep) % names.length] as string);
        for (const name of order) {
          options.step?.(`${shape.name}, ${inFlight} in flight, ${name} (run ${rep + 1}/${options.repeats})`);
          const prefix = `c${cellIndex}r${rep}${name.replace(/[^a-z]/g, '')}`;
          const resources = Array.from({ length: shape.resources }, (_, i) => `${prefix}-${i}`);
          runs.get(name)?.push(await measure(options, name, inFlight, resources));
        }
      }
      cellIndex++;
      const baseline = runs.get(names[0] as string) ?? [];
      for (const name of names) {
        const measured = (runs.get(name) ?? []).map((run, rep) => ({
          ...run,
          ratioToLockFree: run.opsPerSec / Math.max(1, baseline[rep]?.opsPerSec ?? 0),
        }));
        cells.push({
          shape: shape.name,
          inFlight,
          contender: name,
          runs: measured,
          median: medianRun(measured),
        });
      }
    }
  }
  return cells;
}

async function measure(
  options: LockSuiteOptions,
  contender: string,
  inFlight: number,
  resources: string[],
): Promise<Omit<LockRun, 'ratioToLockFree'>> {
  const { workers, admin, durationMs } = options;
  const before = await commandCount(admin);
  const empty: ThroughputReport = {
    type: 'report',
    ops: 0,
    opsInWindow: 0,
    failures: 0,
    clientCommands: 0,
    waits: [],
    perLoop: [],
  };
  const reports = await Promise.all(
    workers.map((worker, i) => {
      const loops = share(inFlight, workers.length, i);
      const task: LockTask = { type: 'run', kind: 'throughput', contender, loops, durationMs, resources };
      return loops === 0 ? Promise.resolve(empty) : runTask<ThroughputReport>(worker, task);
    }),
  );
  const commands = (await commandCount(admin)) - before;
  const counters = await admin.mget(resources.map(counterKey));
  const ops = reports.reduce((n, r) => n + r.ops, 0);
  const waits = reports.flatMap((r) => r.waits).sort((a, b) => a - b);
  return {
    opsPerSec: reports.reduce((n, r) => n + r.opsInWindow, 0) / (durationMs / 1000),
    waitP50Ms: percentile(waits, 0.5),
    waitP99Ms: percentile(waits, 0.99),
    waitMaxMs: waits.at(-1) ?? 0,
    commandsPerOp: commands / Math.max(1, ops),
    clientCommandsPerOp: reports.reduce((n, r) => n + r.clientCommands, 0) / Math.max(1, ops),
    failures: reports.reduce((n, r) => n + r.failures, 0),
    fairness: jainIndex(reports.flatMap((r) => r.perLoop)),
    counterOk: counters.reduce((n, v) => n + Number(v ?? 0), 0) === ops,
  };
}

function medianRun(runs: readonly LockRun[]): LockRun {
  const m = (pick: (r: LockRun) => number) => median(runs.map(pick));
  return {
    opsPerSec: m((r) => r.opsPerSec),
    waitP50Ms: m((r) => r.waitP50Ms),
    waitP99Ms: m((r) => r.waitP99Ms),
    waitMaxMs: m((r) => r.waitMaxMs),
    commandsPerOp: m((r) => r.commandsPerOp),
    clientCommandsPerOp: m((r) => r.clientCommandsPerOp),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    fairness: m((r) => r.fairness),
    counterOk: runs.every((r) => r.counterOk),
    ratioToLockFree: m((r) => r.ratioToLockFree),
  };
}
