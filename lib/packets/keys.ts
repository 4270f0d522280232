/** Redis keys of one packet. All share the hash tag `{packetId}` (one cluster slot), with the lock's. */
export interface PacketKeys {
  /**
   * Hash: totalAmount, count, remaining, remainingCount, reserved (shares paid or held by queued claims:
   * the door's counter), mode, createdAt, expiresAt; once settled refunded, refundedCount,
   * heldAtSettlement, settledAt.
   */
  readonly packet: string;
  /** Hash: record field (see `recordField`) → JSON claim / batch-item record. */
  readonly claims: string;
  /** Stream: one entry per payout, append-only. */
  readonly ledger: string;
  /**
   * Hash: user id → the record field of the payment that paid this user first. The commit writes it with
   * every payout; it is how a packet pays a user at most once across its claims and batches.
   */
  readonly payees: string;
  /**
   * Sorted set: record field → when it was recorded or last sent (epoch ms). A record enters it when it is
   * accepted and leaves it once its message is known to be on the queue or it is decided; the sweeper
   * re-sends whatever stays longer than `resendAfterMs` (a request that died between recording and sending).
   */
  readonly unsent: string;
  /** Set: the ids of this packet's payout batches (for reconcile). */
  readonly batches: string;
  /** String with a short TTL: the barrier write `confirmDurable` sends before `WAIT`. */
  readonly barrier: string;
  /**
   * The packet lock's own keys (`<prefix>{<packetId>}:lock` and `:fence` for the Redis lock, `:zkfence`,
   * the ZooKeeper lock's fence mark): named here so that settling can set their retention with the rest.
   */
  readonly lockKeys: readonly string[];
  /**
   * Hash of one payout batch paying from this packet: `items`, `createdAt`, `allowRepeatPayees`, and the
   * counters the commit script keeps (`paid`, `paidAmount`, `rejected:<reason>`), so a batch's progress is
   * read in O(1).
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
    payees: `${base}:payees`,
    unsent: `${base}:unsent`,
    batches: `${base}:batches`,
    barrier: `${base}:barrier`,
    lockKeys: [`${base}:lock`, `${base}:fence`, `${base}:zkfence`],
    batch: (batchId) => `${base}:batch:${batchId}`,
  };
}

/**
 * The global index of packets (packet id → expiresAt), the one key outside a packet's slot besides the batch
 * index: the sweeper walks it to find unsent records. Written before the packet itself, so a packet is never
 * missing from it.
 */
export const packetIndexKey = (prefix: string) => `${prefix}packets`;

/** Redis keys of one owner (a sender of packets): all share the owner's hash tag, and its packets' slot. */
export interface OwnerKeys {
  /** Hash: `balance`, `credited`, `funded` (into packets), `refunded` (back from settled packets). */
  readonly account: string;
  /** Sorted set: the owner's packet ids by expiry (open packets are those not yet expired). */
  readonly packets: string;
  /** Hash: credit reference → amount (a credit is applied once per reference). */
  readonly credits: string;
  /** The key whose slot every packet of this owner is created in. */
  readonly slotKey: string;
  /** The barrier `confirmDurable` writes for the account. */
  readonly barrier: string;
}

/** Keys of `owner` under `prefix`; the owner id is base64url-encoded inside the hash tag. */
export function ownerKeys(prefix: string, owner: string): OwnerKeys {
  const base = `${prefix}{o:${Buffer.from(owner, 'utf8').toString('base64url')}}`;
  return {
    account: `${base}:account`,
    packets: `${base}:packets`,
    credits: `${base}:credits`,
    slotKey: `${base}:account`,
    barrier: `${base}:barrier`,
  };
}
