import { randomBytes } from 'node:crypto';

/** A new packet id: `pk_` + 96 random bits (base64url), safe inside a Redis hash tag. */
export function newPacketId(): string {
  return `pk_${randomBytes(12).toString('base64url')}`;
}

/**
 * The claim id of `userId` on `packetId`: `<packetId>.<base64url(userId)>`. Derived, not random, so a
 * repeated claim gets the same id and any claim can be found from its id alone.
 */
export function claimIdFor(packetId: string, userId: string): string {
  return `${packetId}.${Buffer.from(userId, 'utf8').toString('base64url')}`;
}

/** Splits a claim id back into packet and user; `null` when it is not one. */
export function parseClaimId(claimId: string): { packetId: string; userId: string } | null {
  const match = /^(pk_[A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,400})$/.exec(claimId);
  if (!match?.[1] || !match[2]) return null;
  const userId = Buffer.from(match[2], 'base64url').toString('utf8');
  return claimIdFor(match[1], userId) === claimId ? { packetId: match[1], userId } : null;
}
