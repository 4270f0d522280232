/** Receives one call per measured step of a suite, as the step starts. */
export type StepReporter = (label: string) => void;

/** A phase of the suite: its name, how many steps it has, and roughly how long it takes. */
export interface Phase {
  name: string;
  steps: number;
  /** Expected seconds: the ETA scales these by how fast the suite has gone against them so far. */
  estimateSec: number;
}

/** `mm:ss`. */
export const clock = (sec: number): string => {
  const s = Math.max(0, Math.round(sec));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * Progress on stderr, one line per step: `[lock 12/162] 00:41 elapsed, ETA 05:12  <label>`. The ETA is the
 * estimate of the work left, scaled by elapsed time over the estimate of the work already done.
 */
export function createProgress(
  phases: readonly Phase[],
  write: (line: string) => void = (line) => process.stderr.write(line),
) {
  const started = performance.now();
  const begun = new Map<string, number>();
  const completed = new Map<string, number>();
  const phaseStarted = new Map<string, number>();
  const find = (name: string): Phase => {
    const phase = phases.find((p) => p.name === name);
    if (!phase) throw new Error(`unknown bench phase "${name}"`);
    return phase;
  };
  const estimateDone = () =>
    phases.reduce((sum, p) => sum + (p.estimateSec * (completed.get(p.name) ?? 0)) / p.steps, 0);
  const eta = (): number => {
    const total = phases.reduce((sum, p) => sum + p.estimateSec, 0);
    const done = estimateDone();
    const elapsed = (performance.now() - started) / 1000;
    return (total - done) * (done > 0 ? elapsed / done : 1);
  };
  return {
    /** The step reporter of phase `name`. */
    phase(name: string): StepReporter {
      const phase = find(name);
      return (label) => {
        if (!phaseStarted.has(name)) phaseStarted.set(name, performance.now());
        const n = (begun.get(name) ?? 0) + 1;
        begun.set(name, n);
        completed.set(name, Math.min(phase.steps, n - 1));
        const elapsed = (performance.now() - started) / 1000;
        write(`[${name} ${n}/${phase.steps}] ${clock(elapsed)} elapsed, ETA ${clock(eta())}  ${label}\n`);
      };
    },
    /** Marks phase `name` finished and returns the seconds it took. */
    end(name: string): number {
      completed.set(name, find(name).steps);
      return (performance.now() - (phaseStarted.get(name) ?? performance.now())) / 1000;
    },
    /** Seconds since the progress was created. */
    elapsedSec: (): number => (performance.now() - started) / 1000,
  };
}

/** What {@link createProgress} returns. */
export type Progress = ReturnType<typeof createProgress>;
