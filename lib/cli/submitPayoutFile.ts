import { readFile, stat } from 'node:fs/promises';
import type { BatchStatus } from '../batches/batchStore.ts';
import { describeRefusal, isSettledElsewhere } from '../batches/describeRow.ts';
import {
  type BatchFileError,
  type BatchRow,
  MAX_BATCH_BYTES,
  parseBatchFile,
} from '../batches/parseBatchFile.ts';
import { type RowOutcome, submitPayouts } from '../batches/submitPayouts.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import type { MessageQueue } from '../queue/MessageQueue.ts';
import { CliError, EXIT } from './CliError.ts';
import { DEFAULT_CLI_OWNER } from './parseCommand.ts';
import { createProgressBar, type ProgressStream } from './progressBar.ts';
import { waitForBatch } from './waitForBatch.ts';

/** What `payouts submit` reads and does. */
export interface SubmitFileInput {
  packetId: string;
  file: string;
  format: 'csv' | 'json';
  /** @defaultValue derived from the packet and the valid rows */
  batchId?: string | undefined;
  /** Pay this batch's users even if the packet paid them already (needs `batchId`). */
  allowRepeatPayees?: boolean | undefined;
  /** Send the valid rows of a file that has invalid ones (they are reported and count as rejected). */
  skipInvalid: boolean;
  /** Parallel SendMessageBatch calls. */
  senders: number;
  /** Wait (at most this many ms) for every item to be decided; `undefined` returns once sent. */
  waitMs: number | undefined;
}

/** A row of the file, by line, and what happened to it (refused at submission, not sent, or rejected). */
export interface RowReport {
  line: number;
  userId: string;
  code: string;
  message: string;
  paidBy?: string;
}

/** The final report of `payouts submit`. */
export interface SubmitFileReport {
  packetId: string;
  batchId: string;
  file: string;
  /** Rows in the file, valid or not. */
  rows: number;
  /** Rows refused by validation (not sent). */
  invalid: BatchFileError[];
  /** Messages sent by this run. */
  sent: number;
  /** Rows whose item an earlier submission of this batch already decided (nothing sent). */
  alreadyDecided: number;
  /**
   * Rows refused at submission (not recorded, not sent): `item_conflict`, or `already_paid_by_*`.
   * `settled` when that user was already paid the same amount by another batch or claim of the packet.
   */
  refused: Array<RowReport & { settled: boolean }>;
  /** Rows recorded whose message the queue did not take: the sweeper re-sends them (or submit again). */
  unsent: RowReport[];
  sendMs: number;
  /** After `--wait`: the batch's state, listing every rejected item; `null` without `--wait`. */
  status: BatchStatus | null;
  /** After `--wait`: the batch's rejected items, by line. */
  rejected: RowReport[];
  /** ms from the first send to the last decision (`--wait` only). */
  settleMs: number | null;
  /**
   * `paid`: every row is paid (by this batch, or the same amount by another). `sent`: without `--wait`,
   * every row that needed it was sent. `incomplete`: something was invalid, refused, not sent, rejected or
   * is still undecided.
   */
  outcome: 'paid' | 'sent' | 'incomplete';
  exitCode: 0 | 1;
}

/**
 * `payouts submit`: validates the whole file first (every problem with its line); refuses it, enqueuing
 * nothing, when anything is invalid unless `skipInvalid`; then submits the valid rows (`submitPayouts`,
 * the same path as `POST /payout-batches`) with a progress bar, warning on stderr before sending about
 * rows that are refused; with `waitMs`, follows the payouts to the end. Exit code 0 when every row is
 * paid (`--wait`) or sent (without), else 1; a {@link CliError} with exit code 3 when the queue took none
 * of the rows.
 */
export async function submitPayoutFile(
  ctx: PacketsContext,
  queue: MessageQueue,
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

  let sending: ReturnType<typeof createProgressBar> | undefined;
  const sendStarted = Date.now();
  const submitted = await submitPayouts(
    ctx,
    queue,
    {
      packetId: input.packetId,
      batchId: input.batchId,
      allowRepeatPayees: input.allowRepeatPayees,
      rows: rows.map(({ userId, amount }) => ({ userId, amount })),
      requestedBy: DEFAULT_CLI_OWNER,
    },
    {
      senders: input.senders,
      onRecorded: (outcomes) => {
        const refused = refusedRows(rows, outcomes);
        if (refused.length > 0) stderr.write(`${describeRefused(refused, 'warning: ')}\n`);
        sending = createProgressBar(stderr, 'sending', outcomes.filter((o) => o.status === 'sent').length);
      },
      onProgress: (n) => sending?.update(n),
    },
  );
  const sent = submitted.outcomes.filter((o) => o.status === 'sent').length;
  sending?.finish(sent);
  const sendMs = Date.now() - sendStarted;
  const unsent: RowReport[] = [];
  submitted.outcomes.forEach((o, i) => {
    const row = rows[i] as BatchRow;
    if (o.status === 'unsent')
      unsent.push({ line: row.line, userId: row.userId, code: o.code, message: o.message });
  });
  if (sent === 0 && unsent.length > 0) {
    // Not one message went out: the queue is unreachable or refuses us. Nothing to follow or report.
    const first = unsent[0] as RowReport;
    throw new CliError(
      `could not send any of the ${unsent.length} rows to the queue (${first.code}: ${first.message}); they are recorded and the sweeper sends them, or run the same command again`,
      EXIT.unavailable,
    );
  }

  let status: BatchStatus | null = null;
  if (input.waitMs !== undefined) {
    status = await waitForBatch(ctx, submitted.batchId, {
      timeoutMs: input.waitMs,
      progress: stderr,
      startedAt: sendStarted,
    });
  }
  const lineOf = new Map(rows.map((row) => [row.userId, row.line]));
  const rejected: RowReport[] = (status?.rejectedItems ?? [])
    .map((r) => ({
      line: lineOf.get(r.userId) ?? 0,
      userId: r.userId,
      code: r.reason,
      message: r.paidBy ? `paid before by ${r.paidBy}` : r.reason,
      ...(r.paidBy ? { paidBy: r.paidBy } : {}),
    }))
    .sort((a, b) => a.line - b.line);
  const refused = refusedRows(rows, submitted.outcomes);
  const decidedRejected = submitted.outcomes.some((o) => o.status === 'decided' && o.decided === 'rejected');
  const waited = input.waitMs !== undefined;
  const incomplete =
    errors.length > 0 ||
    refused.some((r) => !r.settled) ||
    (waited
      ? status === null || status.queued > 0 || Object.keys(status.rejected).length > 0
      : unsent.length > 0 || decidedRejected);
  return {
    packetId: input.packetId,
    batchId: submitted.batchId,
    file: input.file,
    rows: rows.length + errors.length,
    invalid: errors,
    sent,
    alreadyDecided: submitted.outcomes.filter((o) => o.status === 'decided').length,
    refused,
    unsent,
    sendMs,
    status,
    rejected,
    settleMs: status ? Date.now() - sendStarted : null,
    outcome: incomplete ? 'incomplete' : waited ? 'paid' : 'sent',
    exitCode: incomplete ? EXIT.incomplete : EXIT.ok,
  };
}

/** The rows refused at submission, by line. */
function refusedRows(
  rows: readonly BatchRow[],
  outcomes: readonly RowOutcome[],
): SubmitFileReport['refused'] {
  const out: SubmitFileReport['refused'] = [];
  outcomes.forEach((outcome, i) => {
    const row = rows[i] as BatchRow;
    if (outcome.status !== 'refused') return;
    out.push({
      line: row.line,
      userId: row.userId,
      ...describeRefusal(outcome),
      settled: isSettledElsewhere(outcome, row.amount),
    });
  });
  return out;
}

/** `N rows refused (not sent):` then one line each (the first 20). */
export function describeRefused(refused: SubmitFileReport['refused'], prefix = ''): string {
  const lines = refused
    .slice(0, SHOWN_ERRORS)
    .map(
      (r) =>
        `  line ${r.line} (user ${r.userId}): ${r.code}: ${r.message}${r.settled ? ' (same amount: nothing to do)' : ''}`,
    );
  if (refused.length > SHOWN_ERRORS) lines.push(`  … and ${refused.length - SHOWN_ERRORS} more`);
  return `${prefix}${refused.length} row${refused.length === 1 ? '' : 's'} refused (not sent):\n${lines.join('\n')}`;
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
