import { readFile, stat } from 'node:fs/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { deriveBatchId } from '../batches/batchId.ts';
import type { BatchStatus } from '../batches/batchStore.ts';
import { type BatchFileError, MAX_BATCH_BYTES, parseBatchFile } from '../batches/parseBatchFile.ts';
import { type QueueFailure, queueBatch } from '../batches/queueBatch.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { readPacket } from '../packets/readPacket.ts';
import { CliError, EXIT } from './CliError.ts';
import { createProgressBar, type ProgressStream } from './progressBar.ts';
import { waitForBatch } from './waitForBatch.ts';

/** What `payouts submit` reads and does. */
export interface SubmitFileInput {
  packetId: string;
  file: string;
  format: 'csv' | 'json';
  /** @defaultValue derived from the packet and the valid rows */
  batchId?: string | undefined;
  /** Send the valid rows of a file that has invalid ones (they are reported and count as rejected). */
  skipInvalid: boolean;
  /** Parallel SendMessageBatch calls. */
  senders: number;
  /** Wait (at most this many ms) for every item to be decided; `undefined` returns once sent. */
  waitMs: number | undefined;
}

/** The final report of `payouts submit`. Item ids are the file's line numbers. */
export interface SubmitFileReport {
  packetId: string;
  batchId: string;
  file: string;
  rows: number;
  /** Rows refused by validation (not sent). */
  invalid: BatchFileError[];
  sent: number;
  /** Valid rows SQS would not take after retries (not sent; submitting again sends them). */
  sendFailures: QueueFailure[];
  sendMs: number;
  /** After `--wait`: the batch's state, listing every rejected item; `null` without `--wait`. */
  status: BatchStatus | null;
  /** ms from the first send to the last decision (`--wait` only). */
  settleMs: number | null;
  exitCode: 0 | 1;
}

/**
 * `payouts submit`: validates the whole file first (every problem with its line); refuses it, enqueuing
 * nothing, when anything is invalid unless `skipInvalid`; then records the batch and sends one message
 * per row (item id = line number) with a progress bar; with `waitMs`, follows the payouts to the end.
 * Exit code 1 when any row was invalid, unsent, rejected or still undecided at the deadline; a
 * {@link CliError} with exit code 3 when the queue took none of them.
 */
export async function submitPayoutFile(
  ctx: PacketsContext,
  queue: { sqs: Pick<SQSClient, 'send'>; queueUrl: string },
  input: SubmitFileInput,
  stderr: ProgressStream,
): Promise<SubmitFileReport> {
  const content = await readBatchFile(input.file);
  const { rows, errors } = parseBatchFile(content, input.format);
  const fatal = errors.some((e) => e.line === 0);
  if (errors.length > 0 && (fatal || !input.skipInvalid)) {
    throw new CliError(
      `${input.file}: ${describeFileErrors(errors)}\nnothing was enqueued${fatal ? '' : ' (--skip-invalid sends the valid rows)'}`,
      EXIT.usage,
    );
  }
  if (rows.length === 0) throw new CliError(`${input.file}: no valid rows; nothing was enqueued`, EXIT.usage);
  await readPacket(ctx, input.packetId); // unknown packet: refused before anything is recorded or sent

  const batchId = input.batchId ?? deriveBatchId(input.packetId, rows);
  const items = rows.map((row) => ({ itemId: String(row.line), userId: row.userId, amount: row.amount }));
  const sending = createProgressBar(stderr, 'sending', items.length);
  const sendStarted = Date.now();
  const { sent, failures } = await queueBatch(
    ctx,
    queue.sqs,
    queue.queueUrl,
    { packetId: input.packetId, batchId, items },
    { senders: input.senders, onProgress: (n) => sending.update(n) },
  );
  sending.finish(sent);
  const sendMs = Date.now() - sendStarted;
  const first = failures[0];
  if (sent === 0 && first) {
    // Not one message went out: the queue is unreachable or refuses us. Nothing to follow or report.
    throw new CliError(
      `could not send any of the ${items.length} rows to the queue (${first.code}: ${first.message}); nothing was enqueued, run the same command again`,
      EXIT.unavailable,
    );
  }

  let status: BatchStatus | null = null;
  if (input.waitMs !== undefined) {
    status = await waitForBatch(ctx, batchId, {
      timeoutMs: input.waitMs,
      progress: stderr,
      startedAt: sendStarted,
    });
  }
  const settleMs = status ? Date.now() - sendStarted : null;
  const incomplete =
    errors.length > 0 ||
    failures.length > 0 ||
    (input.waitMs !== undefined && status === null) || // the batch's record vanished (Redis lost data)
    (status !== null && (status.queued > 0 || status.paid < status.items));
  return {
    packetId: input.packetId,
    batchId,
    file: input.file,
    rows: rows.length + errors.length,
    invalid: errors,
    sent,
    sendFailures: failures,
    sendMs,
    status,
    settleMs,
    exitCode: incomplete ? EXIT.incomplete : EXIT.ok,
  };
}

/** Reads the file, refusing one over the size limit before loading it. */
async function readBatchFile(path: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`${path} is not a file`, EXIT.usage);
    if (info.size > MAX_BATCH_BYTES) {
      throw new CliError(
        `${path}: line 0: file_too_large: the file is larger than ${MAX_BATCH_BYTES} bytes; split it into several batches\nnothing was enqueued`,
        EXIT.usage,
      );
    }
    return await readFile(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT.usage, { cause: error });
  }
}

const SHOWN_ERRORS = 20;

/** `N invalid rows:` then one line per problem (the first 20), `line L: code: message`. */
export function describeFileErrors(errors: readonly BatchFileError[]): string {
  const lines = errors.slice(0, SHOWN_ERRORS).map((e) => `  line ${e.line}: ${e.code}: ${e.message}`);
  if (errors.length > SHOWN_ERRORS) lines.push(`  … and ${errors.length - SHOWN_ERRORS} more`);
  const head =
    errors.length === 1 && errors[0]?.line === 0 ? 'the file is refused' : `${errors.length} invalid rows`;
  return `${head}:\n${lines.join('\n')}`;
}
