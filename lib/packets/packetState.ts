import type { SplitMode } from './split.ts';

/** A packet as stored (hash `rp:{id}:packet`). Amounts in minor units. */
export interface PacketState {
  packetId: string;
  /** Who funded it: a user id (JWT `sub`) or an operator (`op:<name>`). */
  createdBy: string;
  totalAmount: number;
  count: number;
  remaining: number;
  remainingCount: number;
  /**
   * Shares taken: paid (to a claim or a batch item) or held by a queued claim the door reserved them for.
   * The door takes one per new claim and refuses once it reaches `count`; a reserved claim that ends
   * rejected gives its share back. Before settling, `reserved == paid + queued reserved claims <= count`.
   */
  reserved: number;
  mode: SplitMode;
  createdAt: number;
  expiresAt: number;
  /** Refunded to the owner when the packet was settled (0 before). */
  refunded: number;
  /** Shares that were never paid and went back with the refund (0 before settling). */
  refundedCount: number;
  /** When the remainder was refunded; `undefined` while not settled. */
  settledAt: number | undefined;
}

/** A packet as its owner (and operators) see it: the state plus what is derived from it. */
export interface PacketView extends PacketState {
  status: 'open' | 'exhausted' | 'expired' | 'settled';
  paidAmount: number;
  paidCount: number;
}

/** What anyone who may claim sees: the packet's state and totals, not who funded it. */
export type PublicPacketView = Omit<PacketView, 'createdBy'>;

/** Decodes an HGETALL reply; `null` for a missing (empty) hash. */
export function parsePacketState(packetId: string, hash: unknown): PacketState | null {
  if (!hash || typeof hash !== 'object' || Object.keys(hash).length === 0) return null;
  const h = hash as Record<string, string>;
  return {
    packetId,
    createdBy: h.createdBy ?? '',
    totalAmount: Number(h.totalAmount),
    count: Number(h.count),
    remaining: Number(h.remaining),
    remainingCount: Number(h.remainingCount),
    // A packet created before the door reserved has no counter: only its paid shares are taken (its
    // queued claims hold none), as the scripts also read it.
    reserved:
      h.reserved === undefined
        ? Number(h.count) - Number(h.remainingCount) - Number(h.refundedCount ?? 0)
        : Number(h.reserved),
    mode: h.mode === 'equal' ? 'equal' : 'random',
    createdAt: Number(h.createdAt),
    expiresAt: Number(h.expiresAt),
    refunded: Number(h.refunded ?? 0),
    refundedCount: Number(h.refundedCount ?? 0),
    settledAt: h.settledAt === undefined ? undefined : Number(h.settledAt),
  };
}

/**
 * Settled wins, then exhausted over expired: a packet fully paid stays "exhausted" after its expiry. It is
 * exhausted as soon as every share is taken (paid or held by a claim): then the door answers 410
 * `packet_exhausted`, and it opens again only if a held share is given back.
 */
export function packetStatus(state: PacketState, now: number): PacketView['status'] {
  if (state.settledAt !== undefined) return 'settled';
  if (state.remainingCount <= 0 || state.remaining <= 0 || state.reserved >= state.count) return 'exhausted';
  return now >= state.expiresAt ? 'expired' : 'open';
}

export function toPacketView(state: PacketState, now: number): PacketView {
  return {
    ...state,
    status: packetStatus(state, now),
    paidAmount: state.totalAmount - state.remaining - state.refunded,
    paidCount: state.count - state.remainingCount - state.refundedCount,
  };
}

/** The view for claimers: everything but the owner. */
export function toPublicView(view: PacketView): PublicPacketView {
  const { createdBy: _owner, ...rest } = view;
  return rest;
}
