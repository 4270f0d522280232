import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedPackets } from '../lib/packets/index.ts';
import { commandCount, runTask, share } from './benchProcesses.ts';
import type { ClaimsReport, ClaimsTask } from './claimsBenchWorker.ts';
import type { StepReporter } from './progress.ts';
import { median, percentile } from './report.ts';

/** One claims scenario: the path, the group size, and (locked) the packet lock's backend. */
export interface ClaimsScenario {
  mode: ClaimsTask['mode'];
  groupSize: number;
  /** @defaultValue `'redis-getset'` */
  backend?: ClaimsTask['backend'];
}

/** The claims scenarios: lock-free baselines first, then `processItems` with growing groups. */
export const CLAIMS_SCENARIOS: readonly ClaimsScenario[] = [
  { mode: 'lock-free', groupSize: 1 },
  { mode: 'lock-free', groupSize: 10 },
  { mode: 'locked', groupSize: 1 },
  { mode: 'locked', groupSize: 10 },
  { mode: 'locked', groupSize: 50 },
];

/** The scenarios of a run: with a ZooKeeper server, groups of 10 under the ZooKeeper backend too. */
export const claimsScenarios = (zookeeper: boolean): readonly ClaimsScenario[] =>
  zookeeper
    ? [...CLAIMS_SCENARIOS, { mode: 'locked', groupSize: 10, backend: 'zookeeper' }]
    : CLAIMS_SCENARIOS;

/** Options of {@link runClaimsSuite}. */
export interface ClaimsSuiteOptions {
  /** Worker processes forked from `claimsBenchWorker.ts`. */
  workers: readonly ChildProcess[];
  admin: Redis;
  inFlight: readonly number[];
  durationMs: number;
  repeats: number;
  step?: StepReporter;
  /** Add the ZooKeeper row (the workers' environment has `ZOOKEEPER_CONNECT`). @defaultValue false */
  zookeeper?: boolean;
}

/** What one run of one scenario measured. */
export interface ClaimsRun {
  claimsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  commandsPerClaim: number;
  retries: number;
  /** Reconcile passed and every decided claim was paid. */
  reconciled: boolean;
  /** claims/s over the better lock-free row of the same round and concurrency. */
  ratio: number;
}

/** One scenario at one concurrency: every run and the medians. */
export interface ClaimsCell {
  scenario: string;
  mode: ClaimsTask['mode'];
  /** The lock of a locked row, when not the default Redis lock. */
  backend?: ClaimsTask['backend'];
  groupSize: number;
  inFlight: number;
  runs: ClaimsRun[];
  median: ClaimsRun;
}

export const claimsSuiteSteps = (options: Pick<ClaimsSuiteOptions, 'inFlight' | 'repeats' | 'zookeeper'>) =>
  options.inFlight.length * options.repeats * claimsScenarios(options.zookeeper === true).length;

/**
 * The claims scenarios on one hot packet: fresh claims only (a packet large enough never to run out, a
 * fresh one per run), `repeats` rounds per concurrency, each round running every scenario once.
 */
export async function runClaimsSuite(options: ClaimsSuiteOptions): Promise<ClaimsCell[]> {
  const rp = createRedPackets(options.admin);
  const cells: ClaimsCell[] = [];
  const scenarios = claimsScenarios(options.zookeeper === true);
  for (const inFlight of options.inFlight) {
    const runs = scenarios.map(() => [] as Array<Omit<ClaimsRun, 'ratio'>>);
    for (let rep = 0; rep < options.repeats; rep++) {
      for (const [i, scenario] of scenarios.entries()) {
        options.step?.(`${label(scenario)}, ${inFlight} in flight (run ${rep + 1}/${options.repeats})`);
        runs[i]?.push(await measure(options, rp, scenario, inFlight));
      }
    }
    scenarios.forEach((scenario, i) => {
      const { mode, groupSize } = scenario;
      const measured = (runs[i] ?? []).map((run, rep) => {
        const baseline = Math.max(
          ...scenarios.map((s, j) => (s.mode === 'lock-free' ? (runs[j]?.[rep]?.claimsPerSec ?? 0) : 0)),
        );
        return { ...run, ratio: run.claimsPerSec / Math.max(1, baseline) };
      });
      const m = (pick: (r: ClaimsRun) => number) => median(measured.map(pick));
      cells.push({
        scenario: label(scenario),
        mode,
        ...(scenario.backend ? { backend: scenario.backend } : {}),
        groupSize,
        inFlight,
        runs: measured,
        median: {
          claimsPerSec: m((r) => r.claimsPerSec),
          latencyP50Ms: m((r) => r.latencyP50Ms),
          latencyP99Ms: m((r) => r.latencyP99Ms),
          commandsPerClaim: m((r) => r.commandsPerClaim),
          retries: measured.reduce((n, r) => n + r.retries, 0),
          reconciled: measured.every((r) => r.reconciled),
          ratio: m((r) => r.ratio),
        },
      });
    });
  }
  return cells;
}

const label = ({ mode, groupSize, backend }: ClaimsScenario) =>
  `${mode}${backend ? ` (${backend})` : ''}, groups of ${groupSize}`;

async function measure(
  options: ClaimsSuiteOptions,
  rp: ReturnType<typeof createRedPackets>,
  { mode, groupSize, backend }: ClaimsScenario,
  inFlight: number,
): Promise<Omit<ClaimsRun, 'ratio'>> {
  const { workers, admin, durationMs } = options;
  const { packetId } = await rp.fundAndCreatePacket(
    { totalAmount: 1_000_000_000_000, count: 1_000_000 },
    `op:bench-${randomUUID()}`,
    randomUUID(),
  );
  const before = await commandCount(admin);
  const started = performance.now();
  const reports = await Promise.all(
    workers.map((w, i) =>
      runTask<ClaimsReport>(w, {
        type: 'run',
        mode,
        ...(backend ? { backend } : {}),
        packetId,
        groupSize,
        loops: share(inFlight, workers.length, i),
        durationMs,
      } satisfies ClaimsTask),
    ),
  );
  const elapsedSec = (performance.now() - started) / 1000;
  const commands = (await commandCount(admin)) - before;
  const claims = reports.reduce((n, r) => n + r.claims, 0);
  const latencies = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const report = await rp.reconcile(packetId);
  return {
    claimsPerSec: claims / elapsedSec,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    commandsPerClaim: commands / Math.max(1, claims),
    retries: reports.reduce((n, r) => n + r.retries, 0),
    reconciled: report.ok && report.paidCount === claims,
  };
}
