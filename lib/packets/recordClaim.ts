import { createScript } from '../lock/index.ts';
import { type ClaimRecord, parseRecord, recordField } from './claimRecord.ts';
import { PacketClosedError, PacketNotFoundError } from './errors.ts';
import { claimIdFor } from './ids.ts';
import { packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { isPacketId } from './packetIdSchema.ts';

/**
 * The door's grab: records a claim as `queued` and reserves one of the packet's shares for it, in one
 * round trip, unless the user already has a record. Redis runs scripts one at a time, so shares go to
 * claims in the order Redis records them (first come, first served), and the counter never passes `count`:
 *
 *   claim 1 … claim count   reserved 1 … count: recorded, 202 (a share is held for each)
 *   claim count + 1 …       reserved == count: 410 packet_exhausted, nothing recorded
 *   a held claim rejected   reserved − 1 (the commit gives it back): the next claimer gets it
 *
 * The amount is not decided here: the consumer splits it under the packet's lock ("open").
 *
 * KEYS[1] packet hash, KEYS[2] records hash, KEYS[3] unsent set. ARGV[1] record field, ARGV[2] queued
 * record JSON (with `reserved: true`), ARGV[3] now.
 * Returns `{0}` no such packet, `{1, record}` the user's existing record, `{2, 'exhausted' | 'expired'}`
 * the packet takes no new claims (nothing written), `{3}` recorded with its share held (the caller sends
 * the queue message).
 */
const recordClaimScript = createScript<[0] | [1, string] | [2, 'exhausted' | 'expired'] | [3]>(`
local state = redis.call('HMGET', KEYS[1], 'count', 'reserved', 'remaining', 'remainingCount', 'expiresAt')
if not state[1] then
  return {0}
end
-- A packet from before the counter: its paid shares are taken, its queued claims hold none.
local count = tonumber(state[1])
local reserved = tonumber(state[2]) or (count - tonumber(state[4]))
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  -- Same user again: their claim, whatever the packet's state now.
  return {1, existing}
end
if tonumber(ARGV[3]) >= tonumber(state[5]) then
  -- Past expiry (settled or not: settling empties the packet), whatever was left in it.
  return {2, 'expired'}
end
if reserved >= count then
  -- Every share is paid or held by an earlier claim: this user gets none, and no record says otherwise.
  return {2, 'exhausted'}
end
if tonumber(state[3]) <= 0 or tonumber(state[4]) <= 0 then
  -- Nothing left although the counter says otherwise (a damaged counter, which reconcile reports):
  -- never admit past what is left.
  return {2, 'exhausted'}
end
redis.call('HSET', KEYS[1], 'reserved', reserved + 1)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
-- Until the door confirms the send, the sweeper treats the message as possibly missing.
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return {3}
`);

/** A claim as the door recorded it: `created` when this call recorded it, else the user's existing record. */
export interface RecordedClaim {
  claimId: string;
  created: boolean;
  record: ClaimRecord;
}

/**
 * Records `userId`'s claim on `packetId` as `queued` with a share reserved for it (once per user and
 * packet) without sending anything: the first half of accepting a claim. Throws `PacketNotFoundError`, or
 * `PacketClosedError` for a user without a claim on an expired packet or one whose shares are all taken
 * (nothing is recorded then).
 */
export async function recordClaim(
  ctx: PacketsContext,
  packetId: string,
  userId: string,
): Promise<RecordedClaim> {
  if (!isPacketId(packetId)) throw new PacketNotFoundError(String(packetId));
  const claimId = claimIdFor(packetId, userId);
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const now = ctx.now();
  const record: ClaimRecord = {
    id: claimId,
    kind: 'claim',
    userId,
    status: 'queued',
    reserved: true,
    requestedAt: now,
  };
  const reply = await recordClaimScript.run(
    ctx.redis,
    [keys.packet, keys.claims, keys.unsent],
    [recordField(record), JSON.stringify(record), now],
  );
  if (reply[0] === 0) throw new PacketNotFoundError(packetId);
  if (reply[0] === 2) throw new PacketClosedError(packetId, reply[1]);
  if (reply[0] === 1) {
    const existing = parseRecord(reply[1]);
    if (!existing) throw new Error(`claim record ${claimId} is unreadable`);
    return { claimId, created: false, record: existing };
  }
  return { claimId, created: true, record };
}
