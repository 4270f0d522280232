import type { ClaimsCell } from './claimsSuite.ts';
import { type CrashCell, redisStrategiesRecovered } from './crashSuite.ts';
import type { LockCell } from './lockSuite.ts';
import type { TableData } from './tables.ts';
import { opsRatio } from './tables.ts';

/** A target of issue 7 and what this run measured for it. */
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
