/** Messages between the lock bench and its worker processes (lockBenchWorker.ts). */

/** The counter a resource's increments go to (same hash tag as the resource). */
export const counterKey = (resource: string) => `bench:{${resource}}:counter`;

/** A throughput run, or a crash-recovery step: hold locks until killed, or wait for them. */
export type LockTask =
  | {
      type: 'run';
      kind: 'throughput';
      contender: string;
      loops: number;
      durationMs: number;
      resources: string[];
    }
  | {
      type: 'run';
      kind: 'hold' | 'wait';
      locks: Array<{ contender: string; resource: string }>;
      ttlMs: number;
    };

/** Reply to a throughput task. */
export interface ThroughputReport {
  type: 'report';
  /** Increments completed, including those that finished after the window (the counter has them all). */
  ops: number;
  /** Increments completed inside the `durationMs` window: the throughput numerator. */
  opsInWindow: number;
  /** Acquisitions the backend gave up on (retry budget exhausted). */
  failures: number;
  /** Commands this process's Redis clients sent during the run (see countClientCommands). */
  clientCommands: number;
  /** Acquire wait of every increment, ms (empty for the lock-free baseline). */
  waits: number[];
  /** Increments each loop completed inside the window: how evenly the lock was shared. */
  perLoop: number[];
}

/** Reply to a hold or wait task. */
export interface CrashReport {
  type: 'report';
  /** Epoch ms (sub-millisecond) at which each lock was acquired, in task order. */
  acquiredAt: number[];
  /** Times each waiter's backend gave up and was asked again. */
  giveUps: number[];
}
