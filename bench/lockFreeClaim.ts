import { createScript, type ScriptClient } from '../lib/lock/index.ts';
import { claimIdFor, packetKeys } from '../lib/packets/index.ts';

/**
 * What a user who gives up on locks would write: one script per claim that checks, splits ("double mean",
 * from a random fraction the client sends) and records atomically. The baseline of `npm run bench:claims`.
 *
 * It keeps the same records as the pipeline (the claim record, the ledger entry, the payees index and the
 * door's share counter that `reconcile` checks), so that the baseline does the same bookkeeping, only
 * without a lock.
 *
 * KEYS[1] packet hash, KEYS[2] claims hash, KEYS[3] ledger, KEYS[4] payees. ARGV[1] user, ARGV[2] claim id,
 * ARGV[3] now, ARGV[4] random fraction in [0, 1). Returns the amount paid, or 0 (repeat, expired or exhausted).
 */
export const lockFreeClaim = createScript<number>(`
local field = 'u:' .. ARGV[1]
if redis.call('HEXISTS', KEYS[2], field) == 1 then return 0 end
local s = redis.call('HMGET', KEYS[1], 'remaining', 'remainingCount', 'expiresAt')
local remaining, count, now = tonumber(s[1]), tonumber(s[2]), tonumber(ARGV[3])
local record
local amount = 0
if now >= tonumber(s[3]) or count < 1 then
  record = cjson.encode({id = ARGV[2], kind = 'claim', userId = ARGV[1], status = 'rejected', reason = 'exhausted'})
else
  if count == 1 then
    amount = remaining
  else
    local max = math.min(math.floor(2 * remaining / count), remaining - (count - 1))
    amount = 1 + math.floor(tonumber(ARGV[4]) * math.max(1, max))
  end
  redis.call('HINCRBY', KEYS[1], 'remaining', 0 - amount)
  redis.call('HINCRBY', KEYS[1], 'remainingCount', -1)
  redis.call('HINCRBY', KEYS[1], 'reserved', 1)
  record = cjson.encode({id = ARGV[2], kind = 'claim', userId = ARGV[1], status = 'paid', amount = amount, fence = 0})
  redis.call('XADD', KEYS[3], '*', 'id', ARGV[2], 'user', ARGV[1], 'amount', amount, 'fence', 0, 'at', ARGV[3])
  redis.call('HSETNX', KEYS[4], ARGV[1], field)
end
redis.call('HSET', KEYS[2], field, record)
return amount
`);

/** Claims `packetId` for every one of `users` with {@link lockFreeClaim}, the scripts sent together. */
export function claimLockFree(
  redis: ScriptClient,
  packetId: string,
  users: readonly string[],
): Promise<number[]> {
  const keys = packetKeys('rp:', packetId);
  return Promise.all(
    users.map((u) =>
      lockFreeClaim.run(
        redis,
        [keys.packet, keys.claims, keys.ledger, keys.payees],
        [u, claimIdFor(packetId, u), Date.now(), Math.random()],
      ),
    ),
  );
}
