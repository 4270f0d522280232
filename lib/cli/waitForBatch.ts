import { type BatchStatus, readBatchStatus } from '../batches/batchStore.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { createProgressBar, type ProgressStream } from './progressBar.ts';

/** Options of {@link waitForBatch}. */
export interface WaitOptions {
  /** Give up after this long, ms; undecided items are then reported as such. */
  timeoutMs: number;
  /** Where the progress bar goes (stderr). */
  progress: ProgressStream;
  /** Shortest pause between two status reads, ms. @defaultValue 500 */
  minIntervalMs?: number;
}

/**
 * Polls the batch's status until every item is decided (paid or rejected) or `timeoutMs` passes, with a
 * progress bar of decided items. The status is counted from the item records (one HSCAN pass of the
 * packet), so the pause between reads grows with the time a read takes: polling never costs Redis more
 * than about a third of its time. Resolves with the last status, listing every rejected item.
 */
export async function waitForBatch(
  ctx: PacketsContext,
  batchId: string,
  options: WaitOptions,
): Promise<BatchStatus | null> {
  const deadline = Date.now() + options.timeoutMs;
  const minInterval = options.minIntervalMs ?? 500;
  let bar: ReturnType<typeof createProgressBar> | undefined;
  for (;;) {
    const started = Date.now();
    const status = await readBatchStatus(ctx, batchId, { rejectedItems: 0 });
    if (!status) return null;
    const decided = status.items - status.queued;
    bar ??= createProgressBar(options.progress, 'paying ', status.items);
    if (status.queued === 0 || Date.now() >= deadline) {
      bar.finish(decided);
      return readBatchStatus(ctx, batchId, { rejectedItems: Number.POSITIVE_INFINITY });
    }
    bar.update(decided);
    const took = Date.now() - started;
    const pause = Math.max(minInterval, 2 * took);
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
  }
}
