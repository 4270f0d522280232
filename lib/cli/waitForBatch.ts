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
  /** When the items were first sent (epoch ms), for the rate shown. @defaultValue when waiting starts */
  startedAt?: number;
}

/**
 * Polls the batch's status until every item is decided (paid or rejected) or `timeoutMs` passes, with a
 * progress bar of decided items. Each read is O(1) (the batch's counters); the pause between reads still
 * grows with the time a read takes, so a slow Redis is not polled harder. Resolves with the last status,
 * listing every rejected item.
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
    bar ??= createProgressBar(options.progress, 'paying ', status.items, {
      ...(options.startedAt === undefined ? {} : { startedAt: options.startedAt }),
    });
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
