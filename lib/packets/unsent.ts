import { createScript } from '../lock/index.ts';
import { type ClaimRecord, parseRecord, recordField } from './claimRecord.ts';
import { packetKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';

/**
 * Records whose queue message may not exist. A record enters the packet's unsent set when it is accepted
 * (a claim at the door, a batch row at submission) and leaves it when its send is confirmed or it is
 * decided; what stays past its time is re-sent by the sweeper (`sweepUnsent`).
 *
 *   door ── record (queued, unsent) ─ SendMessage ─ confirm (leaves unsent) ─▶ 202
 *                                   ╳ dies here: the sweeper re-sends it after resendAfterMs
 */

/** The sends of these records are confirmed (their messages are on the queue). One round trip. */
export async function confirmSent(
  ctx: PacketsContext,
  packetId: string,
  fields: readonly string[],
): Promise<void> {
  if (fields.length > 0) await ctx.redis.zrem(packetKeys(ctx.keyPrefix, packetId).unsent, ...fields);
}

/**
 * Removes a claim the door just recorded, only while it is still exactly that record: used when the queue
 * definitely refused its message, so that the client's retry starts clean. The share the door reserved for
 * it goes back to the packet with it. KEYS[1] records hash, KEYS[2] unsent set, KEYS[3] packet hash;
 * ARGV[1] field, ARGV[2] the record JSON written. Returns 1 if withdrawn, 0 otherwise.
 */
const withdrawScript = createScript<0 | 1>(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if cjson.decode(ARGV[2]).reserved then redis.call('HINCRBY', KEYS[3], 'reserved', -1) end
return 1`);

/** Withdraws `record` if it is still stored exactly as written; resolves whether it did. */
export async function withdrawRecord(
  ctx: PacketsContext,
  packetId: string,
  record: ClaimRecord,
): Promise<boolean> {
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const reply = await withdrawScript.run(
    ctx.redis,
    [keys.claims, keys.unsent, keys.packet],
    [recordField(record), JSON.stringify(record)],
  );
  return reply === 1;
}

/**
 * Takes up to `limit` unsent records that are due (last sent, or recorded, at or before the cut-off),
 * stamping each with now so that a sweeper that dies mid-send does not lose them and two sweepers do not
 * send the same record in the same round. Records no longer queued are dropped from the set.
 *
 * KEYS[1] unsent set (field → when last recorded or sent), KEYS[2] records hash, KEYS[3] packet hash.
 * ARGV[1] cut-off (now − resendAfterMs), ARGV[2] now, ARGV[3] limit.
 * Returns `{exists, settled (0 | 1), remainingInSet, field1, record1, field2, record2, …}`.
 */
const takeDueScript = createScript<Array<string | number>>(`
local exists = redis.call('EXISTS', KEYS[3])
local settled = redis.call('HEXISTS', KEYS[3], 'settledAt')
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {exists, settled, 0}
for _, field in ipairs(due) do
  local record = redis.call('HGET', KEYS[2], field)
  if record and cjson.decode(record).status == 'queued' then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], field)
    out[#out + 1] = field
    out[#out + 1] = record
  else
    -- Decided (or withdrawn) without the set being told: nothing to send.
    redis.call('ZREM', KEYS[1], field)
  end
end
out[3] = redis.call('ZCARD', KEYS[1])
return out`);

/** What {@link takeDue} found for one packet. */
export interface DueRecords {
  /** False when the packet's hash is gone. */
  packetExists: boolean;
  /** True once its remainder was refunded. */
  settled: boolean;
  /** Records still in the unsent set after this call (due later, or just taken). */
  unsentLeft: number;
  records: ClaimRecord[];
}

/**
 * Claims the packet's unsent records that have waited longer than `resendAfterMs`, at most `limit`, for
 * re-sending (see the script above).
 */
export async function takeDue(
  ctx: PacketsContext,
  packetId: string,
  options: { resendAfterMs: number; limit: number },
): Promise<DueRecords> {
  const keys = packetKeys(ctx.keyPrefix, packetId);
  const now = ctx.now();
  const reply = await takeDueScript.run(
    ctx.redis,
    [keys.unsent, keys.claims, keys.packet],
    [now - options.resendAfterMs, now, options.limit],
  );
  const records: ClaimRecord[] = [];
  for (let i = 3; i + 1 < reply.length; i += 2) {
    const record = parseRecord(reply[i + 1]);
    if (record && recordField(record) === reply[i]) records.push(record);
  }
  return {
    packetExists: Number(reply[0]) === 1,
    settled: Number(reply[1]) === 1,
    unsentLeft: Number(reply[2]),
    records,
  };
}
