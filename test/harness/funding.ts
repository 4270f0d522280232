import { randomUUID } from 'node:crypto';
import type { RedPackets } from '../../lib/packets/index.ts';

/**
 * A packet funded the way an operator funds a campaign (a credit, then the packet from that balance), by
 * an owner of its own unless one is given: an owner's packets share its cluster slot, so distinct owners
 * also spread test packets over a cluster's shards, and no test meets another's open-packet limit.
 */
export function fundedPacket(
  rp: RedPackets,
  input: Record<string, unknown>,
  owner = `op:test-${randomUUID()}`,
) {
  return rp.fundAndCreatePacket(input, owner, `test-${randomUUID()}`);
}
