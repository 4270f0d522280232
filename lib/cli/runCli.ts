import { readBatchStatus } from '../batches/batchStore.ts';
import { isRetryableError } from '../lock/index.ts';
import { PacketError } from '../packets/errors.ts';
import { createRedPackets, type RedisClient } from '../packets/index.ts';
import { createSqsQueue } from '../queue/MessageQueue.ts';
import { ConfigError, loadPacketSettings, type PacketSettings, packetsOptions } from '../runtime/config.ts';
import { CliError, EXIT, type ExitCode } from './CliError.ts';
import { connectQueue, connectRedis } from './connect.ts';
import {
  formatBatchStatus,
  formatOwnerReconcile,
  formatReconcile,
  formatSubmitReport,
} from './formatReport.ts';
import { type Command, parseCommand, USAGE } from './parseCommand.ts';
import type { ProgressStream } from './progressBar.ts';
import { queueDepthsReader } from './queueDepths.ts';
import { submitPayoutFile } from './submitPayoutFile.ts';
import { waitForBatch } from './waitForBatch.ts';
import { watchPacket } from './watchPacket.ts';

/** Where the CLI reads its settings and writes: the report on stdout, progress and errors on stderr. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: ProgressStream;
  stderr: ProgressStream;
  /** Aborted on Ctrl-C / SIGTERM: a command that runs until something happens (`packets watch`) stops. */
  signal?: AbortSignal;
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
    if (report !== undefined || text !== '') {
      io.stdout.write(`${command.json ? JSON.stringify(report, null, 2) : text}\n`);
    }
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
  const packets = createRedPackets(redis, packetsOptions(settingsFrom(io.env)));
  const ctx = packets.context;
  switch (command.name) {
    case 'balances credit': {
      const { owner, amount, reference } = command;
      const { applied, account } = await packets.creditAccount({ owner, amount, reference });
      const text = `${applied ? 'credited' : 'already credited (same reference): nothing changed'}\n${JSON.stringify(account, null, 2)}`;
      return { code: EXIT.ok, report: { applied, account }, text };
    }
    case 'balances show': {
      const account = await packets.readAccount(command.owner);
      return { code: EXIT.ok, report: account, text: JSON.stringify(account, null, 2) };
    }
    case 'packets create': {
      const { name: _, json: __, connection: ___, owner, fundReference, ...spec } = command;
      const packet = fundReference
        ? await packets.fundAndCreatePacket(spec, owner, fundReference)
        : await packets.createPacket(spec, owner);
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
    case 'packets settle': {
      const settlement = await packets.settlePacket(command.packetId);
      const text =
        settlement.settled === 'now'
          ? `settled ${settlement.packetId}: refunded ${settlement.refunded} to ${settlement.owner}`
          : `${settlement.packetId} was settled before (refunded ${settlement.refunded}): nothing changed`;
      return { code: EXIT.ok, report: settlement, text };
    }
    case 'packets watch': {
      const queue = command.connection.queueUrl ? connectQueue(command.connection) : undefined;
      try {
        const { done, last } = await watchPacket(ctx, command.packetId, {
          out: io.stdout,
          ...(queue ? { queue: queueDepthsReader(queue.sqs, queue.queueUrl) } : {}),
          intervalMs: command.intervalMs,
          ...(io.signal ? { signal: io.signal } : {}),
        });
        io.stderr.write(
          done ? `${command.packetId} is ${last.packet.status}: nothing more to pay\n` : 'stopped\n',
        );
        return { code: done ? EXIT.ok : EXIT.incomplete, report: command.json ? last : undefined, text: '' };
      } finally {
        queue?.sqs.destroy();
      }
    }
    case 'packets export': {
      // JSON lines, one ledger entry each, written as they are read (a ledger can be large).
      let entries = 0;
      for await (const entry of packets.exportLedger(command.packetId)) {
        io.stdout.write(`${JSON.stringify(entry)}\n`);
        entries++;
      }
      io.stderr.write(`exported ${entries} ledger entries of ${command.packetId}\n`);
      return { code: EXIT.ok, report: undefined, text: '' };
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
      if (command.owner !== undefined) {
        const report = await packets.reconcileOwner(command.owner);
        return { code: report.ok ? EXIT.ok : EXIT.incomplete, report, text: formatOwnerReconcile(report) };
      }
      const report = await packets.reconcile(command.packetId ?? '', {
        stuckAfterMs: command.stuckAfterS * 1000,
      });
      return { code: report.ok ? EXIT.ok : EXIT.incomplete, report, text: formatReconcile(report) };
    }
  }
}

/**
 * Domain errors keep their message: a refusal of what was asked (no funds, a limit, a conflict, not
 * expired, forbidden) exits 1, bad input or an unknown id exits 2, anything transient (Redis, SQS) exits 3.
 */
function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (
    error instanceof PacketError &&
    ['insufficient_funds', 'sender_limit', 'credit_conflict', 'not_expired', 'forbidden'].includes(error.code)
  ) {
    return new CliError(`${message} (nothing was changed)`, EXIT.incomplete, { cause: error });
  }
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

/** The domain's settings from the environment, as the functions read them; a bad one exits 2. */
function settingsFrom(env: NodeJS.ProcessEnv): PacketSettings {
  try {
    return loadPacketSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage, { cause: error });
    throw error;
  }
}
