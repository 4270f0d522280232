import type { PacketsContext } from '../packets/PacketsContext.ts';
import type { PacketView } from '../packets/packetState.ts';
import { readPacket } from '../packets/readPacket.ts';
import type { ProgressStream } from './progressBar.ts';
import type { QueueDepths } from './queueDepths.ts';

/** Options of {@link watchPacket}. */
export interface WatchOptions {
  /** Where the view goes (stdout): redrawn in place on a TTY, one plain line per read otherwise. */
  out: ProgressStream;
  /** Reads the claims queue's and the DLQ's depths; absent when no queue is configured. */
  queue?: () => Promise<QueueDepths>;
  /** Time between two reads, ms. @defaultValue 1000 */
  intervalMs?: number;
  /** Stops the watch (Ctrl-C). */
  signal?: AbortSignal;
}

/** One read of the watched packet. */
export interface WatchSample {
  packet: PacketView;
  /** Shares held by claims the door accepted that are not paid yet (`reserved − paidCount`). */
  claimsQueued: number;
  /** Payouts per second since the previous read. */
  paidPerSecond: number;
  queue: QueueDepths | null;
}

/** How a watch ended: the packet is done (every share paid, or settled), or it was stopped. */
export interface WatchResult {
  done: boolean;
  last: WatchSample;
}

/** Nothing more will be paid from `packet`: every share is paid, or its remainder was refunded. */
export const isDone = (packet: PacketView) => packet.remainingCount === 0 || packet.status === 'settled';

/**
 * Watches a packet until it is done ({@link isDone}) or `signal` aborts: about once per `intervalMs`, its
 * remaining amount and shares, payouts per second, claims queued, and the queue's and DLQ's depths. One
 * O(1) read of the packet per round (its hash), two of the queue's attributes. A missing packet throws
 * `PacketNotFoundError`.
 */
export async function watchPacket(
  ctx: PacketsContext,
  packetId: string,
  options: WatchOptions,
): Promise<WatchResult> {
  const intervalMs = options.intervalMs ?? 1000;
  const tty = options.out.isTTY === true;
  let previous: { paidCount: number; at: number } | undefined;
  let drawnLines = 0;
  for (;;) {
    const [packet, queue] = await Promise.all([
      readPacket(ctx, packetId),
      options.queue ? options.queue() : Promise.resolve(null),
    ]);
    const at = Date.now();
    const seconds = previous ? (at - previous.at) / 1000 : 0;
    const sample: WatchSample = {
      packet,
      claimsQueued: packet.settledAt === undefined ? Math.max(0, packet.reserved - packet.paidCount) : 0,
      paidPerSecond: previous && seconds > 0 ? (packet.paidCount - previous.paidCount) / seconds : 0,
      queue,
    };
    previous = { paidCount: packet.paidCount, at };
    if (tty) {
      const lines = formatWatchScreen(sample);
      // Up to the first line drawn last time, clear to the end of the screen, draw again.
      options.out.write(`${drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[J` : ''}${lines.join('\n')}\n`);
      drawnLines = lines.length;
    } else {
      options.out.write(`${formatWatchLine(sample, new Date(at))}\n`);
    }
    const done = isDone(packet);
    if (done || options.signal?.aborted) return { done, last: sample };
    await pause(intervalMs, options.signal);
    if (options.signal?.aborted) return { done: false, last: sample };
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Minor units as `1,234.56`. */
const money = (minor: number) =>
  (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const depth = (queue: QueueDepths | null) =>
  queue
    ? `queue ${queue.visible} (+${queue.inFlight} in flight) dlq ${queue.deadLetters ?? 'n/a'}`
    : 'queue n/a dlq n/a';

/** One plain line per read (a log, a pipe): `<time> <packet> <status> remaining … paid/s … queue … dlq …`. */
export function formatWatchLine(sample: WatchSample, at: Date): string {
  const p = sample.packet;
  return [
    at.toISOString(),
    p.packetId,
    p.status,
    `remaining ${money(p.remaining)}/${money(p.totalAmount)}`,
    `shares ${p.remainingCount}/${p.count}`,
    `paid/s ${sample.paidPerSecond.toFixed(1)}`,
    `claims queued ${sample.claimsQueued}`,
    depth(sample.queue),
  ].join(' ');
}

/** The TTY view, redrawn in place. */
export function formatWatchScreen(sample: WatchSample): string[] {
  const p = sample.packet;
  return [
    `packet ${p.packetId} (${p.status})`,
    `  remaining      ${money(p.remaining)} of ${money(p.totalAmount)}`,
    `  shares left    ${p.remainingCount} of ${p.count}`,
    `  paid/s         ${sample.paidPerSecond.toFixed(1)}`,
    `  claims queued  ${sample.claimsQueued}`,
    `  ${depth(sample.queue)}`,
  ];
}
