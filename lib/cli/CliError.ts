/** Exit codes of the operator CLI. */
export const EXIT = {
  /** Everything asked for was done (every item paid, the ledger reconciles). */
  ok: 0,
  /**
   * The command ran, but something was rejected, lost, left undecided or does not reconcile; or what it
   * asked was refused (no funds, a sender limit, a conflicting credit, a packet not expired yet).
   */
  incomplete: 1,
  /** Bad flags or a bad file: nothing was changed or enqueued. */
  usage: 2,
  /** Redis or SQS could not be reached (or answered an error): safe to run the same command again. */
  unavailable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports in one line and turns into an exit code (no stack trace for the operator). */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
