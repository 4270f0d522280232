import { type ActivePacket, forgetChecked, quietPackets } from './activity.ts';
import { PacketNotFoundError } from './errors.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { type Discrepancy, reconcile } from './reconcile.ts';

/** Options of {@link reconcileActive}. */
export interface ReconcileActiveOptions {
  /**
   * Only packets without activity for this long are checked (ms): a packet mid-commit can show a
   * transient mismatch between two reads. @defaultValue 60000
   */
  quietMs?: number;
  /** Most packets checked in one run (each costs a read of its ledger and records). @defaultValue 200 */
  limit?: number;
}

/** One packet whose invariants are broken, with what {@link reconcile} found. */
export interface BrokenPacket {
  packetId: string;
  discrepancies: Discrepancy[];
}

/** What one run did. */
export interface ReconcileActiveReport {
  /** Packets checked (gone ones, past their retention, are not counted). */
  checked: number;
  /** The broken packets, each found broken by two reads in a row. */
  broken: BrokenPacket[];
  /** Packets with activity still listed after the run (waiting, or broken and kept). */
  backlog: number;
}

/** Defaults of {@link ReconcileActiveOptions}. */
export const DEFAULT_RECONCILE_QUIET_MS = 60_000;
export const DEFAULT_RECONCILE_LIMIT = 200;

/**
 * The scheduled reconcile: checks the invariants ({@link reconcile}) of the packets that saw activity
 * (the consumer and the settler list them) and have since been quiet for `quietMs`, least recently active
 * first, at most `limit` per run. A packet found broken is read again and reported only if the second
 * read is broken too; a broken packet stays listed, so every run reports it again until it is repaired
 * (its alarm stays raised). A clean one leaves the list unless activity came meanwhile.
 */
export async function reconcileActive(
  ctx: PacketsContext,
  options: ReconcileActiveOptions = {},
): Promise<ReconcileActiveReport> {
  const { packets, listed } = await quietPackets(ctx, {
    quietMs: options.quietMs ?? DEFAULT_RECONCILE_QUIET_MS,
    limit: options.limit ?? DEFAULT_RECONCILE_LIMIT,
  });
  const broken: BrokenPacket[] = [];
  let checked = 0;
  let forgotten = 0;
  for (const packet of packets) {
    const discrepancies = await checkTwice(ctx, packet);
    if (discrepancies === null) {
      if (await forgetChecked(ctx, packet)) forgotten += 1;
      continue;
    }
    checked += 1;
    if (discrepancies.length > 0) broken.push({ packetId: packet.packetId, discrepancies });
    else if (await forgetChecked(ctx, packet)) forgotten += 1;
  }
  return { checked, broken, backlog: listed - forgotten };
}

/** The discrepancies two reads in a row agree on (the second read's), or null for a packet gone. */
async function checkTwice(ctx: PacketsContext, packet: ActivePacket): Promise<Discrepancy[] | null> {
  try {
    const first = await reconcile(ctx, packet.packetId);
    if (first.ok) return [];
    const second = await reconcile(ctx, packet.packetId);
    return second.discrepancies;
  } catch (error) {
    if (error instanceof PacketNotFoundError) return null;
    throw error;
  }
}
