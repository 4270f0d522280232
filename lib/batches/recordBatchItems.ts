import { createScript } from '../lock/index.ts';
import { type ClaimRecord, recordField } from '../packets/claimRecord.ts';
import { echoId } from '../packets/echoId.ts';
import { PacketClosedError, PacketNotFoundError } from '../packets/errors.ts';
import { packetKeys } from '../packets/keys.ts';
import type { PacketsContext } from '../packets/PacketsContext.ts';
import { BatchConflictError } from './BatchConflictError.ts';

/**
 * Records one chunk of a batch's rows, each as the item `(batchId, userId)`, in one script:
 *
 * KEYS[1] packet hash, KEYS[2] batch hash, KEYS[3] records hash, KEYS[4] payees hash, KEYS[5] unsent set,
 * KEYS[6] the packet's set of batch ids. ARGV[1] batch id, ARGV[2] allowRepeatPayees ('0' | '1'), ARGV[3]
 * now, ARGV[4] JSON rows `[[field, userId, amount, recordJson], …]`, ARGV[5] who submits (kept from the
 * first submission; '' for none).
 *
 * Returns `{-1}` no packet, `{-2}` expired, `{-3, flag}` the batch was recorded with another
 * allowRepeatPayees; else `{1, outcomes}` with one outcome per row:
 * `{0}` recorded now (queued, unsent), `{1}` recorded before and still queued, `{2, status, reason}`
 * recorded before and decided, `{3, amount}` recorded before with another amount (item_conflict),
 * `{4, payerField, paidAmount}` not recorded: the user is already paid on this packet by another claim or
 * batch (and this batch does not allow repeat payees).
 */
const recordItemsScript = createScript<
  [-1] | [-2] | [-3, string] | [1, Array<[0] | [1] | [2, string, string] | [3, string] | [4, string, string]>]
>(`
local expiresAt = redis.call('HGET', KEYS[1], 'expiresAt')
if not expiresAt then return {-1} end
-- An expired packet takes no new payouts (and so the sweeper may forget it once nothing is unsent).
if tonumber(ARGV[3]) >= tonumber(expiresAt) then return {-2} end
local flag = redis.call('HGET', KEYS[2], 'allowRepeatPayees')
if flag and flag ~= ARGV[2] then return {-3, flag} end
if not flag then
  redis.call('HSET', KEYS[2], 'allowRepeatPayees', ARGV[2], 'createdAt', ARGV[3], 'items', 0)
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], 'requestedBy', ARGV[5]) end
  redis.call('SADD', KEYS[6], ARGV[1])
end
local rows = cjson.decode(ARGV[4])
local out, added = {}, 0
for i, row in ipairs(rows) do
  local field, user, amount = row[1], row[2], tonumber(row[3])
  local existing = redis.call('HGET', KEYS[3], field)
  if existing then
    local r = cjson.decode(existing)
    if r.amount ~= amount then
      -- The same (batch, user) with another amount: a record never answers for another item.
      out[i] = {3, string.format('%d', tonumber(r.amount) or 0)}
    elseif r.status == 'queued' then
      out[i] = {1}
    else
      out[i] = {2, r.status, r.reason or ''}
    end
  else
    local payer = false
    if ARGV[2] == '0' then payer = redis.call('HGET', KEYS[4], user) end
    if payer then
      -- Paid on this packet already: refused here; the consumer refuses it too if the payment lands later.
      local paid = redis.call('HGET', KEYS[3], payer)
      out[i] = {4, payer, string.format('%d', paid and tonumber(cjson.decode(paid).amount) or 0)}
    else
      redis.call('HSET', KEYS[3], field, row[4])
      redis.call('ZADD', KEYS[5], ARGV[3], field)
      added = added + 1
      out[i] = {0}
    end
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[2], 'items', added) end
return {1, out}
`);

/** What recording did to one row (see the script above). */
export type RecordedRow =
  | { status: 'recorded'; before: boolean }
  | { status: 'decided'; decided: 'paid' | 'rejected'; reason?: string }
  | { status: 'item_conflict'; recordedAmount: number }
  | { status: 'already_paid'; payerField: string; paidAmount: number };

/** Rows per script call: large enough to amortise the round trip, small enough to keep each call short. */
const CHUNK = 500;

/**
 * Records the rows of batch `batchId` as items of `packetId`, chunk by chunk (each chunk atomic; a
 * resubmission finds the items recorded before). Throws `PacketNotFoundError`, `PacketClosedError`
 * (expired) or {@link BatchConflictError} before recording anything.
 */
export async function recordBatchItems(
  ctx: PacketsContext,
  batch: { packetId: string; batchId: string; allowRepeatPayees: boolean; requestedBy?: string },
  rows: ReadonlyArray<{ userId: string; amount: number }>,
): Promise<RecordedRow[]> {
  const keys = packetKeys(ctx.keyPrefix, batch.packetId);
  const out: RecordedRow[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    const now = ctx.now();
    const chunk = rows.slice(start, start + CHUNK).map((row) => {
      const record: ClaimRecord = {
        id: `${batch.batchId}/${row.userId}`,
        kind: 'payout',
        userId: row.userId,
        batchId: batch.batchId,
        status: 'queued',
        amount: row.amount,
        requestedAt: now,
      };
      return [recordField(record), row.userId, String(row.amount), JSON.stringify(record)];
    });
    const reply = await recordItemsScript.run(
      ctx.redis,
      [keys.packet, keys.batch(batch.batchId), keys.claims, keys.payees, keys.unsent, keys.batches],
      [
        batch.batchId,
        batch.allowRepeatPayees ? '1' : '0',
        now,
        JSON.stringify(chunk),
        batch.requestedBy ?? '',
      ],
    );
    if (reply[0] === -1) throw new PacketNotFoundError(batch.packetId);
    if (reply[0] === -2) throw new PacketClosedError(batch.packetId, 'expired');
    if (reply[0] === -3) {
      throw new BatchConflictError(
        batch.batchId,
        `batch ${echoId(batch.batchId)} was recorded with allowRepeatPayees ${reply[1] === '1'}; submit it with the same setting, or use another batch id`,
        batch.packetId,
      );
    }
    for (const row of reply[1]) out.push(decodeRow(row));
  }
  return out;
}

function decodeRow(row: [0] | [1] | [2, string, string] | [3, string] | [4, string, string]): RecordedRow {
  switch (Number(row[0])) {
    case 0:
      return { status: 'recorded', before: false };
    case 1:
      return { status: 'recorded', before: true };
    case 2:
      return {
        status: 'decided',
        decided: row[1] === 'paid' ? 'paid' : 'rejected',
        ...(row[2] ? { reason: String(row[2]) } : {}),
      };
    case 3:
      return { status: 'item_conflict', recordedAmount: Number(row[1]) };
    default:
      return { status: 'already_paid', payerField: String(row[1]), paidAmount: Number(row[2]) };
  }
}
