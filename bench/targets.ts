import type { ClaimsCell } from './claimsSuite.ts';
import { type CrashCell, redisStrategiesRecovered } from './crashSuite.ts';
import type { HandoffCell } from './handoffSuite.ts';
import type { LockCell } from './lockSuite.ts';
import type { TableData } from './tables.ts';
import { opsRatio } from './tables.ts';

/** A target and what this run measured for it. */
export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean;
}

/** The suite's results the targets are judged on. */
export interface TargetInputs {
  lock: readonly LockCell[];
  crash: readonly CrashCell[];
  claims: readonly ClaimsCell[];
  /** The Lambda-shaped hand-over cells. @defaultValue none */
  handoff?: readonly HandoffCell[];
  /** What `bench/batchBench.ts` wrote, when the batch phase ran. */
  batch?: { paidPerSec?: unknown; items?: unknown } | undefined;
  wallSec: number;
}

const HOT = 'one hot resource';

/** Judges the targets on one run's results. */
export function evaluateTargets(inputs: TargetInputs): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const top = Math.max(...inputs.lock.map((c) => c.inFlight));
  const cell = (name: string) =>
    inputs.lock.find((c) => c.shape === HOT && c.inFlight === top && c.contender === name);
  for (const ours of ['getset', 'getset (pipelined)']) {
    const mine = cell(ours);
    for (const library of [
      'redlock (tuned)',
      'redis-semaphore (tuned)',
      'redlock (short retries)',
      'redis-semaphore (short retries)',
    ]) {
      const theirs = cell(library);
      if (!mine || !theirs) continue;
      const ratio = opsRatio(mine, theirs);
      const p99 = `p99 wait ${mine.median.waitP99Ms.toFixed(0)} vs ${theirs.median.waitP99Ms.toFixed(0)} ms`;
      verdicts.push({
        target: `${ours} ≥ 2× ${library} at ${top} in flight, lower p99 wait`,
        measured: `${ratio.toFixed(2)}× ops/s, ${p99}`,
        met: ratio >= 2 && mine.median.waitP99Ms < theirs.median.waitP99Ms,
      });
    }
  }
  const pipelined = cell('getset (pipelined)');
  if (pipelined) {
    verdicts.push(
      {
        target: `getset (pipelined) ≤ 6 commands sent per op at ${top} in flight on one hot resource`,
        measured: `${pipelined.median.clientCommandsPerOp.toFixed(1)} sent (Redis ran ${pipelined.median.commandsPerOp.toFixed(1)} with the calls inside scripts)`,
        met: pipelined.median.clientCommandsPerOp <= 6,
      },
      {
        target: `getset (pipelined) fairness (Jain, over loops in 2 processes) ≥ 0.99 at ${top} in flight`,
        measured: pipelined.median.fairness.toFixed(3),
        met: pipelined.median.fairness >= 0.99,
      },
    );
  }
  for (const c of (inputs.handoff ?? []).filter((x) => x.mode === 'locked')) {
    verdicts.push({
      target: `hand-over p50 ≤ 2 Redis round trips (${c.processes} processes, groups of ${c.groupSize})`,
      measured: `${c.median.gapP50Ms.toFixed(2)} ms = ${(c.median.gapP50Ms / Math.max(0.001, c.median.rttMs)).toFixed(1)} × PING ${c.median.rttMs.toFixed(3)} ms`,
      met: c.median.gapP50Ms <= 2 * c.median.rttMs,
    });
  }
  // The target is about the default (Redis) lock; the ZooKeeper row is there for comparison.
  for (const c of inputs.claims.filter((x) => x.mode === 'locked' && x.groupSize === 10 && !x.backend)) {
    verdicts.push({
      target: `hot packet claims in groups of 10 ≥ 0.5× lock-free (${c.inFlight} in flight)`,
      measured: `${c.median.ratio.toFixed(2)}× (${Math.round(c.median.claimsPerSec)} claims/s)`,
      met: c.median.ratio >= 0.5,
    });
  }
  const redis = inputs.crash.filter((c) => c.contender === 'getset' || c.contender === 'set-nx-px');
  const worst = redis.reduce((w, c) => Math.max(w, c.maxMs - (c.boundMs ?? 0)), Number.NEGATIVE_INFINITY);
  verdicts.push({
    target: 'crash recovery ≤ TTL + drift + 250 ms, every Redis strategy and TTL',
    measured: `smallest margin to the bound: ${Math.round(-worst)} ms`,
    met: redis.length > 0 && redisStrategiesRecovered(inputs.crash),
  });
  if (typeof inputs.batch?.paidPerSec === 'number') {
    verdicts.push({
      target: `payout batch of ${String(inputs.batch.items)} rows ≥ 5,000 paid/s (issue 5)`,
      measured: `${inputs.batch.paidPerSec} paid/s`,
      met: inputs.batch.paidPerSec >= 5000,
    });
  }
  verdicts.push({
    target: '`npm run bench` under 10 minutes',
    measured: `${Math.floor(inputs.wallSec / 60)} min ${Math.round(inputs.wallSec % 60)} s`,
    met: inputs.wallSec < 600,
  });
  return verdicts;
}

/** The verdicts as a table. */
export function targetsTable(verdicts: readonly TargetVerdict[]): TableData {
  return {
    header: ['target', 'measured', 'met'],
    rows: verdicts.map((v) => [v.target, v.measured, v.met ? 'yes' : 'NO']),
  };
}
