import { randomBytes } from 'node:crypto';
import { crc16, crcByte, keySlot } from './keySlot.ts';
import { PACKET_ID_SOURCE } from './packetIdSchema.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'; // base64url
const CODES = [...ALPHABET].map((c) => c.charCodeAt(0));

/**
 * A new packet id: `pk_` + 96 random bits (base64url) + 3 characters chosen so that the id falls in cluster
 * slot `slot` (its owner's account's slot, so that one script can debit the account and create the packet
 * on a Redis Cluster too). Safe inside a Redis hash tag. Without `slot`, any slot.
 */
export function newPacketId(slot?: number): string {
  const encoder = new TextEncoder();
  for (;;) {
    const prefix = `pk_${randomBytes(12).toString('base64url')}`;
    if (slot === undefined) return prefix;
    // CRC16 runs byte by byte: continue it from the prefix over every 3-character suffix until the slot
    // matches (16,384 tries expected, 262,144 available; a fresh prefix in the rare case none matches).
    const base = crc16(encoder.encode(prefix));
    for (const a of CODES) {
      const ca = crcByte(base, a);
      for (const b of CODES) {
        const cb = crcByte(ca, b);
        for (const c of CODES) {
          if ((crcByte(cb, c) & 0x3fff) === slot) {
            return prefix + String.fromCharCode(a, b, c);
          }
        }
      }
    }
  }
}

/** The slot of a packet's keys (its id is their hash tag). */
export const packetSlot = (packetId: string) => keySlot(`{${packetId}}`);

/**
 * The claim id of `userId` on `packetId`: `<packetId>.<base64url(userId)>`. Derived, not random, so a
 * repeated claim gets the same id and any claim can be found from its id alone.
 */
export function claimIdFor(packetId: string, userId: string): string {
  return `${packetId}.${Buffer.from(userId, 'utf8').toString('base64url')}`;
}

/** `<packetId>.<base64url(userId)>`, as {@link claimIdFor} writes it. */
const CLAIM_ID_PATTERN = new RegExp(`^(${PACKET_ID_SOURCE})\\.([A-Za-z0-9_-]{1,400})$`);

/** Splits a claim id back into packet and user; `null` when it is not one. */
export function parseClaimId(claimId: string): { packetId: string; userId: string } | null {
  const match = CLAIM_ID_PATTERN.exec(claimId);
  if (!match?.[1] || !match[2]) return null;
  const userId = Buffer.from(match[2], 'base64url').toString('utf8');
  return claimIdFor(match[1], userId) === claimId ? { packetId: match[1], userId } : null;
}
