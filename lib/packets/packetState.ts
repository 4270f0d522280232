import type { SplitMode } from './split.ts';

/** A packet as stored (hash `rp:{id}:packet`). Amounts in minor units. */
export interface PacketState {
  packetId: string;
  totalAmount: number;
  count: number;
  remaining: number;
  remainingCount: number;
  mode: SplitMode;
  createdAt: number;
  expiresAt: number;
}

/** A packet as shown to users: the state plus what is derived from it. */
export interface PacketView extends PacketState {
  status: 'open' | 'exhausted' | 'expired';
  paidAmount: number;
  paidCount: number;
}

/** Decodes an HGETALL reply; `null` for a missing (empty) hash. */
export function parsePacketState(packetId: string, hash: unknown): PacketState | null {
  if (!hash || typeof hash !== 'object' || Object.keys(hash).length === 0) return null;
  const h = hash as Record<string, string>;
  return {
    packetId,
    totalAmount: Number(h.totalAmount),
    count: Number(h.count),
    remaining: Number(h.remaining),
    remainingCount: Number(h.remainingCount),
    mode: h.mode === 'equal' ? 'equal' : 'random',
    createdAt: Number(h.createdAt),
    expiresAt: Number(h.expiresAt),
  };
}

/** Exhausted wins over expired: a packet that was fully paid stays "exhausted" after its expiry. */
export function packetStatus(state: PacketState, now: number): PacketView['status'] {
  if (state.remainingCount <= 0 || state.remaining <= 0) return 'exhausted';
  return now >= state.expiresAt ? 'expired' : 'open';
}

export function toPacketView(state: PacketState, now: number): PacketView {
  return {
    ...state,
    status: packetStatus(state, now),
    paidAmount: state.totalAmount - state.remaining,
    paidCount: state.count - state.remainingCount,
  };
}
