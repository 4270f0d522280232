import { recordField } from '../packets/claimRecord.ts';
import { packetIndexKey } from '../packets/keys.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { confirmSent, takeDue } from '../packets/unsent.ts';
import type { MessageQueue } from '../queue/MessageQueue.ts';
import { messageFor, type QueueMessage } from '../queue/queueMessage.ts';

/** Options of {@link sweepUnsent}. */
export interface SweepOptions {
  /**
   * How long an accepted record may wait for its send to be confirmed before its message is sent again
   * (ms). Longer than any request takes to send (the functions time out after 10 s), so a live request is
   * never raced. @defaultValue 30000
   */
  resendAfterMs?: number;
  /** Most records re-sent by one run (the rest wait for the next). @defaultValue 5000 */
  maxRecords?: number;
  /** Packets read from the index per step. @defaultValue 200 */
  pageSize?: number;
}

/** Default of {@link SweepOptions.resendAfterMs}. */
export const DEFAULT_RESEND_AFTER_MS = 30_000;

/** What one sweep did. */
export interface SweepReport {
  /** Packets examined. */
  packets: number;
  /** Records whose message was sent again (and confirmed). */
  resent: number;
  /** Records the queue did not take; they stay unsent and are tried again in a later run. */
  failed: number;
  /** Packets dropped from the index (gone, or settled with nothing unsent). */
  forgotten: number;
}

/**
 * The sweeper: finds records accepted (a claim at the door, a batch row at submission) whose message was
 * never confirmed on the queue within `resendAfterMs`, and sends it again (and again, every
 * `resendAfterMs`, until a send is confirmed or the record is decided). Safe to run at any time and
 * from several places at once: the consumer decides each record once, so a spare message changes nothing,
 * and taking a record pushes its next time on, so concurrent sweepers do not send it in the same round.
 * Bounded: at most `maxRecords` per run, one script per packet of the index.
 */
export async function sweepUnsent(
  ctx: PacketsContext,
  queue: MessageQueue,
  options: SweepOptions = {},
): Promise<SweepReport> {
  const resendAfterMs = options.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS;
  const maxRecords = options.maxRecords ?? 5000;
  const pageSize = options.pageSize ?? 200;
  const index = packetIndexKey(ctx.keyPrefix);
  const report: SweepReport = { packets: 0, resent: 0, failed: 0, forgotten: 0 };
  const due: Array<{ packetId: string; field: string; message: QueueMessage }> = [];
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.zscan(index, cursor, 'COUNT', pageSize);
    cursor = next;
    const packetIds = flat.filter((_, i) => i % 2 === 0);
    const found = await Promise.all(
      packetIds.map((packetId) =>
        takeDue(ctx, packetId, { resendAfterMs, limit: Math.max(0, maxRecords - due.length) }),
      ),
    );
    const forget: string[] = [];
    packetIds.forEach((packetId, i) => {
      const packet = found[i];
      if (!packet) return;
      report.packets += 1;
      for (const record of packet.records) {
        due.push({ packetId, field: recordField(record), message: messageFor(packetId, record) });
      }
      // Settled (no record can be accepted after expiry) with nothing unsent: neither the sweeper nor the
      // settler has anything left to do with it.
      if (!packet.packetExists || (packet.settled && packet.unsentLeft === 0)) forget.push(packetId);
    });
    if (forget.length > 0) report.forgotten += await ctx.redis.zrem(index, ...forget);
  } while (cursor !== '0' && due.length < maxRecords);

  if (due.length === 0) return report;
  const { sent, failures } = await queue.sendAll(
    due.map((d) => d.message),
    {
      onSent: async (indexes) => {
        const byPacket = new Map<string, string[]>();
        for (const i of indexes) {
          const d = due[i];
          if (d) byPacket.set(d.packetId, [...(byPacket.get(d.packetId) ?? []), d.field]);
        }
        await Promise.all(
          [...byPacket].map(([packetId, fields]) =>
            confirmSent(ctx, packetId, fields).catch(() => undefined),
          ),
        );
      },
    },
  );
  report.resent = sent;
  report.failed = failures.length;
  return report;
}
