import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalQueues } from '../../infra/local/ensureQueues.ts';
import { submitPayouts } from '../../lib/batches/submitPayouts.ts';
import { acceptClaim } from '../../lib/claims/acceptClaim.ts';
import { sweepUnsent } from '../../lib/claims/sweepUnsent.ts';
import { isRetryableError } from '../../lib/lock/index.ts';
import type { RedPackets } from '../../lib/packets/index.ts';
import type { MessageQueue } from '../../lib/queue/MessageQueue.ts';
import { acknowledgedPayouts, type CapturedLine, captureLogger } from './captureLogger.ts';
import type { QueueFixture } from './queueFixture.ts';

/**
 * The whole pipeline in this process against real servers: the door (`acceptClaim`) and batch submission
 * send to a real SQS emulator, the project's event source feeds the real consumer, and the sweeper runs. `packets()` is read
 * on every call, so a test can point everything at a promoted replica mid-run (`repoint`). Clients retry
 * what fails retryably, as a real client and SQS would; the consumer's log is the harness's own record of
 * what was acknowledged.
 */
export interface PipelineDriver {
  readonly lines: CapturedLine[];
  /** Payouts whose messages the consumer acknowledged (see `acknowledgedPayouts`). */
  acknowledged(): Map<string, number>;
  /**
   * Claims for every user on `packetId`, `concurrency` at a time (each client pausing `paceMs` between
   * claims), each retried until the door answers (202, or 410 once the packet is exhausted). Resolves the
   * claim ids answered 202.
   */
  claim(
    packetId: string,
    users: readonly string[],
    concurrency?: number,
    paceMs?: number,
  ): Promise<Set<string>>;
  /** Submits `rows` as one batch, again until it is recorded and sent (as an operator would). */
  submit(packetId: string, rows: ReadonlyArray<{ userId: string; amount: number }>): Promise<string>;
  /** Stops the consumers and starts them again on `packets()` (after a failover). */
  repoint(): Promise<void>;
  /** Stops the consumers (messages pile up in the queue) until {@link resume}. */
  pause(): Promise<void>;
  /** Starts the consumers again, on `packets()`. */
  resume(): void;
  /** Stops the consumers and the sweeper; clients still claiming give up (their promises reject). */
  stop(): Promise<void>;
}

export function startPipeline(
  sqs: QueueFixture,
  queues: { queues: LocalQueues; queue: MessageQueue },
  packets: () => RedPackets,
): PipelineDriver {
  const log = captureLogger();
  let consumer = sqs.consume(packets(), queues.queues.queueUrl, log);
  // The sweeper, as the deployed schedule runs it (here every 250 ms, for records unsent for 1 s).
  let sweeping = true;
  const sweeper = (async () => {
    while (sweeping) {
      await sweepUnsent(packets().context, queues.queue, { resendAfterMs: 1000 }).catch(() => undefined);
      await sleep(250);
    }
  })();
  const retrying = async <T>(attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!isRetryableError(error) || Date.now() > deadline || !sweeping) throw error;
        await sleep(50);
      }
    }
  };
  const pause = () => consumer.stop();
  const resume = () => {
    consumer = sqs.consume(packets(), queues.queues.queueUrl, log);
  };
  return {
    lines: log.lines,
    acknowledged: () => acknowledgedPayouts(log.lines),
    async claim(packetId, users, concurrency = 8, paceMs = 0) {
      const accepted = new Set<string>();
      let next = 0;
      const worker = async () => {
        while (next < users.length && sweeping) {
          const user = users[next++] as string;
          try {
            const reply = await retrying(() => acceptClaim(packets().context, queues.queue, packetId, user));
            accepted.add(reply.claimId);
          } catch (error) {
            if ((error as { code?: string }).code !== 'packet_exhausted') throw error;
          }
          if (paceMs > 0) await sleep(paceMs);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return accepted;
    },
    async submit(packetId, rows) {
      for (;;) {
        const result = await retrying(() =>
          submitPayouts(packets().context, queues.queue, { packetId, rows }),
        );
        if (result.outcomes.every((o) => o.status !== 'unsent')) return result.batchId;
      }
    },
    async repoint() {
      await pause();
      resume();
    },
    pause,
    resume,
    async stop() {
      sweeping = false;
      await Promise.all([consumer.stop(), sweeper]);
    },
  };
}
