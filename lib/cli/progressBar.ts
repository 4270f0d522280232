/** Where a progress bar writes: a TTY gets one redrawn line, anything else a line now and then. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** A progress indicator for a count that goes up to `total`. */
export interface ProgressBar {
  update(done: number): void;
  /** Draws the final state and ends the line. */
  finish(done?: number): void;
}

/** Options of {@link createProgressBar}. */
export interface ProgressOptions {
  /** Redraw at most this often, ms. @defaultValue 100 on a TTY, 2000 otherwise */
  everyMs?: number;
  /** @defaultValue `Date.now` */
  now?: () => number;
  /** When the work began (epoch ms by `now`), for the rate. @defaultValue when the bar is created */
  startedAt?: number;
}

const WIDTH = 30;

/**
 * A progress bar on `stream` (stderr, so that stdout keeps only the report): `label [#####-----] 50%
 * 5000/10000 1.2k/s`. On a TTY the line is redrawn in place; in a log (CI, a pipe) a plain line is written
 * at most every 2 s, so a long batch leaves a readable trail instead of thousands of carriage returns.
 */
export function createProgressBar(
  stream: ProgressStream,
  label: string,
  total: number,
  options: ProgressOptions = {},
): ProgressBar {
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const everyMs = options.everyMs ?? (tty ? 100 : 2000);
  const started = options.startedAt ?? now();
  let drawnAt = Number.NEGATIVE_INFINITY;
  let last = 0;
  let drawn: number | undefined;
  const render = (done: number) => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * WIDTH);
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = done / seconds;
    const rateText = rate >= 1000 ? `${(rate / 1000).toFixed(1)}k/s` : `${Math.round(rate)}/s`;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor(share * 100)}% ${done}/${total} ${rateText}`;
  };
  const draw = (done: number, final: boolean) => {
    last = done;
    const at = now();
    if (!final && at - drawnAt < everyMs) return;
    if (final && !tty && drawn === done) return; // a log already has this exact line
    drawnAt = at;
    drawn = done;
    stream.write(tty ? `\r${render(done)}${final ? '\n' : ''}` : `${render(done)}\n`);
  };
  return {
    update: (done) => draw(done, false),
    finish: (done = last) => draw(done, true),
  };
}
