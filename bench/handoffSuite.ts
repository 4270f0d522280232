import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedPackets } from '../lib/packets/index.ts';
import { runTask } from './benchProcesses.ts';
import type { HandoffReport, HandoffTask } from './handoffWorker.ts';
import type { StepReporter } from './progress.ts';
import { median, percentile } from './report.ts';

/** Options of {@link runHandoffSuite}. */
export interface HandoffSuiteOptions {
  /** Worker processes forked from `handoffWorker.ts`: at least the largest of `processes`. */
  workers: readonly ChildProcess[];
  admin: Redis;
  /** Process counts (each process: one batch in flight, as one Lambda container). @defaultValue [4, 8] */
  processes: readonly number[];
  /** Claims per batch. @defaultValue [10, 100] */
  groupSizes: readonly number[];
  durationMs: number;
  repeats: number;
  step?: StepReporter;
}

/** What one run of one cell measured. */
export interface HandoffRun {
  claimsPerSec: number;
  /** claims/s over the lock-free row's in the same repeat (same processes and group size). */
  ratio: number;
  /** From one process's release to the next process's acquisition, as each saw it, ms. */
  gapP50Ms: number;
  gapP99Ms: number;
  /** Share of consecutive holds that passed to another process. */
  crossShare: number;
  /** Commands the consumers' clients sent per claim decided. */
  commandsPerClaim: number;
  /** Round trip of a PING on the same machine, median, ms: the unit the gap target is stated in. */
  rttMs: number;
  retries: number;
}

/** One scenario (mode × processes × group size): every run and the medians. */
export interface HandoffCell {
  mode: HandoffTask['mode'];
  processes: number;
  groupSize: number;
  runs: HandoffRun[];
  median: HandoffRun;
}

export const handoffSuiteSteps = (
  options: Pick<HandoffSuiteOptions, 'processes' | 'groupSizes' | 'repeats'>,
) => options.processes.length * options.groupSizes.length * options.repeats * 2;

/**
 * The Lambda-shaped scenario: `processes` consumers, one batch in flight each, on one hot packet; each
 * round runs the lock-free baseline and the locked path side by side (a fresh packet per run).
 */
export async function runHandoffSuite(options: HandoffSuiteOptions): Promise<HandoffCell[]> {
  const rp = createRedPackets(options.admin);
  const cells: HandoffCell[] = [];
  for (const processes of options.processes) {
    for (const groupSize of options.groupSizes) {
      const runs: Record<HandoffTask['mode'], Array<Omit<HandoffRun, 'ratio'>>> = {
        'lock-free': [],
        locked: [],
      };
      for (let rep = 0; rep < options.repeats; rep++) {
        for (const mode of ['lock-free', 'locked'] as const) {
          options.step?.(
            `${mode}, ${processes} processes, groups of ${groupSize} (run ${rep + 1}/${options.repeats})`,
          );
          runs[mode].push(await measure(options, rp, mode, processes, groupSize));
        }
      }
      for (const mode of ['lock-free', 'locked'] as const) {
        const measured = runs[mode].map((run, rep) => ({
          ...run,
          ratio: run.claimsPerSec / Math.max(1, runs['lock-free'][rep]?.claimsPerSec ?? 0),
        }));
        const m = (pick: (r: HandoffRun) => number) => median(measured.map(pick));
        cells.push({
          mode,
          processes,
          groupSize,
          runs: measured,
          median: {
            claimsPerSec: m((r) => r.claimsPerSec),
            ratio: m((r) => r.ratio),
            gapP50Ms: m((r) => r.gapP50Ms),
            gapP99Ms: m((r) => r.gapP99Ms),
            crossShare: m((r) => r.crossShare),
            commandsPerClaim: m((r) => r.commandsPerClaim),
            rttMs: m((r) => r.rttMs),
            retries: measured.reduce((n, r) => n + r.retries, 0),
          },
        });
      }
    }
  }
  return cells;
}

async function measure(
  options: HandoffSuiteOptions,
  rp: ReturnType<typeof createRedPackets>,
  mode: HandoffTask['mode'],
  processes: number,
  groupSize: number,
): Promise<Omit<HandoffRun, 'ratio'>> {
  const { packetId } = await rp.fundAndCreatePacket(
    { totalAmount: 1_000_000_000_000, count: 1_000_000 },
    `op:bench-${randomUUID()}`,
    randomUUID(),
  );
  const started = performance.now();
  const reports = await Promise.all(
    options.workers.slice(0, processes).map((w) =>
      runTask<HandoffReport>(w, {
        type: 'run',
        mode,
        packetId,
        groupSize,
        durationMs: options.durationMs,
      } satisfies HandoffTask),
    ),
  );
  const elapsedSec = (performance.now() - started) / 1000;
  const claims = reports.reduce((n, r) => n + r.claims, 0);
  const holds = reports
    .flatMap((r, process) => r.holds.map(([acquiredAt, releasedAt]) => ({ process, acquiredAt, releasedAt })))
    .sort((a, b) => a.acquiredAt - b.acquiredAt);
  const gaps: number[] = [];
  for (let i = 1; i < holds.length; i++) {
    const [before, after] = [holds[i - 1], holds[i]];
    if (before && after && before.process !== after.process) gaps.push(after.acquiredAt - before.releasedAt);
  }
  gaps.sort((a, b) => a - b);
  return {
    claimsPerSec: claims / elapsedSec,
    gapP50Ms: percentile(gaps, 0.5),
    gapP99Ms: percentile(gaps, 0.99),
    crossShare: gaps.length / Math.max(1, holds.length - 1),
    commandsPerClaim: reports.reduce((n, r) => n + r.commands, 0) / Math.max(1, claims),
    rttMs: await pingRtt(options.admin),
    retries: reports.reduce((n, r) => n + r.retries, 0),
  };
}

/** Median of 200 sequential PINGs, ms. */
async function pingRtt(admin: Redis): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await admin.ping();
    times.push(performance.now() - started);
  }
  return median(times);
}
