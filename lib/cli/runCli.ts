import { readBatchStatus } from '../batches/batchStore.ts';
import { isRetryableError } from '../lock/index.ts';
import { PacketError } from '../packets/errors.ts';
import { createRedPackets, type RedisClient } from '../packets/index.ts';
import { createSqsQueue } from '../queue/MessageQueue.ts';
import { CliError, EXIT, type ExitCode } from './CliError.ts';
import { connectQueue, connectRedis } from './connect.ts';
import { formatBatchStatus, formatReconcile, formatSubmitReport } from './formatReport.ts';
import { type Command, parseCommand, USAGE } from './parseCommand.ts';
import type { ProgressStream } from './progressBar.ts';
import { submitPayoutFile } from './submitPayoutFile.ts';
import { waitForBatch } from './waitForBatch.ts';

/** Where the CLI reads its settings and writes: the report on stdout, progress and errors on stderr. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/**
 * Runs one operator command and resolves with its exit code (see {@link EXIT}); never throws. Errors are
 * one clear line on stderr: bad flags and files exit 2 having changed nothing, an unreachable Redis or SQS
 * exits 3 (re-running the same command is safe: batches are idempotent).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let redis: RedisClient | undefined;
  try {
    const command = parseCommand(argv, io.env);
    if (command.name === 'help') {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    redis = await connectRedis(command.connection);
    const { code, report, text } = await run(command, redis, io);
    io.stdout.write(`${command.json ? JSON.stringify(report, null, 2) : text}\n`);
    return code;
  } catch (error) {
    const failure = toCliError(error);
    io.stderr.write(`red-packets: ${failure.message}\n`);
    return failure.exitCode;
  } finally {
    redis?.disconnect();
  }
}

async function run(
  command: Exclude<Command, { name: 'help' }>,
  redis: RedisClient,
  io: CliIo,
): Promise<{ code: ExitCode; report: unknown; text: string }> {
  const { minReplicas, waitTimeoutMs } = command.connection;
  const packets = createRedPackets(redis, { durability: { minReplicas, waitTimeoutMs } });
  const ctx = packets.context;
  switch (command.name) {
    case 'packets create': {
      const { name: _, json: __, connection: ___, ...spec } = command;
      const packet = await packets.createPacket(spec);
      return {
        code: EXIT.ok,
        report: packet,
        text: `created ${packet.packetId}\n${JSON.stringify(packet, null, 2)}`,
      };
    }
    case 'packets show': {
      const packet = await packets.readPacket(command.packetId);
      return { code: EXIT.ok, report: packet, text: JSON.stringify(packet, null, 2) };
    }
    case 'payouts submit': {
      const queue = connectQueue(command.connection);
      try {
        const report = await submitPayoutFile(
          ctx,
          createSqsQueue(queue.sqs, queue.queueUrl),
          { ...command, waitMs: command.wait ? command.waitTimeoutS * 1000 : undefined },
          io.stderr,
        );
        return { code: report.exitCode, report, text: formatSubmitReport(report) };
      } finally {
        queue.sqs.destroy();
      }
    }
    case 'payouts status': {
      const status = command.wait
        ? await waitForBatch(ctx, command.batchId, {
            timeoutMs: command.waitTimeoutS * 1000,
            progress: io.stderr,
          })
        : await readBatchStatus(ctx, command.batchId, { rejectedItems: Number.POSITIVE_INFINITY });
      if (!status) throw new CliError(`no batch "${command.batchId}"`, EXIT.usage);
      const rejected = status.rejectedItems.length > 0 || Object.keys(status.rejected).length > 0;
      const undecided = command.wait && status.queued > 0;
      return {
        code: rejected || undecided ? EXIT.incomplete : EXIT.ok,
        report: status,
        text: `batch ${status.batchId} for packet ${status.packetId}\n${formatBatchStatus(status)}`,
      };
    }
    case 'reconcile': {
      const report = await packets.reconcile(command.packetId, {
        stuckAfterMs: command.stuckAfterS * 1000,
      });
      return { code: report.ok ? EXIT.ok : EXIT.incomplete, report, text: formatReconcile(report) };
    }
  }
}

/** Domain errors keep their message; bad input exits 2, anything transient (Redis, SQS) exits 3. */
function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PacketError && !error.retryable)
    return new CliError(message, EXIT.usage, { cause: error });
  if (error instanceof PacketError || isRetryableError(error)) {
    return new CliError(`${message} (nothing is lost: run the same command again)`, EXIT.unavailable, {
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : 'Error';
  return new CliError(`${name}: ${message}`, EXIT.unavailable, { cause: error });
}
