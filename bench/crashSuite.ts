import { forkWorkers, runTask } from './benchProcesses.ts';
import { contenderNamed } from './contenders/index.ts';
import type { CrashReport, LockTask } from './lockTask.ts';
import type { StepReporter } from './progress.ts';
import { median } from './report.ts';

/** Options of {@link runCrashSuite}. */
export interface CrashSuiteOptions {
  /** The lock bench's worker file: one copy holds the locks and is killed, another waits for them. */
  workerFile: string;
  /** Worker environment (REDIS_URL, ZOOKEEPER_CONNECT). */
  env: Record<string, string>;
  /** Contender names; the ones that have no holder to kill (the lock-free baseline) are skipped. */
  contenders: readonly string[];
  ttls: readonly number[];
  repeats: number;
  step?: StepReporter;
}

/** Crash recovery of one contender at one TTL, over the repeats. */
export interface CrashCell {
  contender: string;
  ttlMs: number;
  /** SIGKILL of the holder → acquisition by the waiter, ms, per repeat. */
  recoveriesMs: number[];
  /** The holder's acquisition → the waiter's acquisition (the lease's whole blocking time), ms. */
  blockedMs: number[];
  medianMs: number;
  maxMs: number;
  /** The contender's promised bound for this TTL (Redis: TTL + drift + 250 ms), if it has one. */
  boundMs: number | undefined;
  /** Every repeat recovered within the bound. */
  withinBound: boolean | undefined;
  /** Times a waiter's backend gave up (its retry budget ran out) and was asked again. */
  giveUps: number;
}

const epochNow = () => performance.timeOrigin + performance.now();

/** Steps the suite takes: one kill per TTL and repeat (every contender recovers side by side). */
export const crashSuiteSteps = (options: Pick<CrashSuiteOptions, 'ttls' | 'repeats'>) =>
  options.ttls.length * options.repeats;

/**
 * Crash recovery: per TTL and repeat, a fresh holder process takes every contender's lock with that TTL
 * and is SIGKILLed at once; a fresh waiter process then asks for each of them and says when it got each
 * one. Every contender recovers from the same kill, on its own resource.
 */
export async function runCrashSuite(options: CrashSuiteOptions): Promise<CrashCell[]> {
  const names = options.contenders.filter((name) => contenderNamed(name).crashable);
  const raw = new Map<string, { recoveries: number[]; blocked: number[]; giveUps: number }>();
  for (const ttlMs of options.ttls) {
    for (const name of names) raw.set(`${name}@${ttlMs}`, { recoveries: [], blocked: [], giveUps: 0 });
    for (let rep = 0; rep < options.repeats; rep++) {
      options.step?.(`TTL ${ttlMs} ms, SIGKILL ${rep + 1}/${options.repeats}`);
      const locks = names.map((contender, i) => ({ contender, resource: `crash-${ttlMs}-${rep}-${i}` }));
      const [holder, waiter] = await forkWorkers(options.workerFile, 2, options.env);
      if (!holder || !waiter) throw new Error('could not fork the crash workers');
      try {
        const held = await runTask<CrashReport>(holder, {
          type: 'run',
          kind: 'hold',
          locks,
          ttlMs,
        } satisfies LockTask);
        // Kill as soon as the holder has its leases: whatever runs between acquisition and kill only
        // shortens the time left on them. The waiter (already forked and connected to Redis) asks next.
        const killedAt = epochNow();
        holder.kill('SIGKILL');
        const got = await runTask<CrashReport>(waiter, {
          type: 'run',
          kind: 'wait',
          locks,
          ttlMs,
        } satisfies LockTask);
        names.forEach((name, i) => {
          const cell = raw.get(`${name}@${ttlMs}`);
          if (!cell) return;
          cell.recoveries.push((got.acquiredAt[i] ?? Number.NaN) - killedAt);
          cell.blocked.push((got.acquiredAt[i] ?? Number.NaN) - (held.acquiredAt[i] ?? Number.NaN));
          cell.giveUps += got.giveUps[i] ?? 0;
        });
      } finally {
        holder.kill('SIGKILL');
        waiter.kill();
      }
    }
  }
  return options.ttls.flatMap((ttlMs) =>
    names.map((contender) => {
      const cell = raw.get(`${contender}@${ttlMs}`) ?? { recoveries: [], blocked: [], giveUps: 0 };
      const boundMs = contenderNamed(contender).recoveryBoundMs?.(ttlMs);
      const maxMs = Math.max(...cell.recoveries);
      return {
        contender,
        ttlMs,
        recoveriesMs: cell.recoveries,
        blockedMs: cell.blocked,
        medianMs: median(cell.recoveries),
        maxMs,
        boundMs,
        withinBound: boundMs === undefined ? undefined : maxMs <= boundMs,
        giveUps: cell.giveUps,
      };
    }),
  );
}

/** The target: every Redis strategy of this project recovered within TTL + drift + 250 ms. */
export function redisStrategiesRecovered(cells: readonly CrashCell[]): boolean {
  return cells.every((c) => {
    const contender = contenderNamed(c.contender);
    return contender.group !== 'ours' || contender.backend !== 'redis' || c.withinBound === true;
  });
}
