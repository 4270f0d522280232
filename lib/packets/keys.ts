/** Redis keys of one packet. All share the hash tag `{packetId}` (one cluster slot), with the lock's. */
export interface PacketKeys {
  /** Hash: totalAmount, count, remaining, remainingCount, mode, createdAt, expiresAt. */
  readonly packet: string;
  /** Hash: record field (see `recordField`) → JSON claim / batch-item record. */
  readonly claims: string;
  /** Stream: one entry per payout, append-only. */
  readonly ledger: string;
  /**
   * Hash of one payout batch paying from this packet: `items`, `createdAt`, and the counters the commit
   * script keeps (`paid`, `paidAmount`, `rejected:<reason>`), so a batch's progress is read in O(1).
   */
  batch(batchId: string): string;
}

/** Keys of `packetId` under `prefix` (the lock uses the same prefix: `<prefix>{<packetId>}:lock`). */
export function packetKeys(prefix: string, packetId: string): PacketKeys {
  const base = `${prefix}{${packetId}}`;
  return {
    packet: `${base}:packet`,
    claims: `${base}:claims`,
    ledger: `${base}:ledger`,
    batch: (batchId) => `${base}:batch:${batchId}`,
  };
}
