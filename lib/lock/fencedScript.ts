import type { ScriptArg, ScriptClient } from './createScript.ts';
import { createScript } from './createScript.ts';
import { LockLostError, LockOptionsError } from './errors.ts';
import { LOCK_VALUE_PATTERN, nowLua, waitListLua } from './luaSnippets.ts';
import { HANDOVER, type Handover } from './releaseLease.ts';

/**
 * What a fenced write needs to prove it still holds the lock, from {@link DistributedLock.guard}.
 * Passed to the script as KEYS[1] = `key`, ARGV[1] = `token` (lock key) or `fence` (high-water mark),
 * ARGV[2] = `now`.
 */
export interface FenceGuard {
  readonly resource: string;
  /** The lock key (`'lock-key'`), or the resource's fence high-water-mark key (`'high-water-mark'`). */
  readonly key: string;
  /** The lease's owner token. */
  readonly token: string;
  /** The lease's fencing token: for error reports, and the value compared under `'high-water-mark'`. */
  readonly fence: number;
  /**
   * How the script proves the lease is current. `'lock-key'`: the lock lives in this Redis, so the key must
   * still carry the lease's token and expiry (the Redis lock). `'high-water-mark'`: the lock lives
   * elsewhere (ZooKeeper), so the lease's fence must be at least the highest fence this resource has seen,
   * which the script then records (see {@link FENCE_HIGH_WATER_MARK_PRELUDE_LUA}).
   * @defaultValue `'lock-key'`
   */
  readonly scheme?: 'lock-key' | 'high-water-mark';
  /** Epoch ms by the lock's clock, or -1 to let the script read Redis `TIME`. */
  readonly now: number;
  /**
   * The resource's wait list and waiters keys (the Redis lock): a script that releases wakes the first
   * waiter in line through them. @defaultValue none: a release wakes nobody (waiters find out on their own)
   */
  readonly waitList?: readonly [list: string, waiters: string];
}

/** Reply of the prelude when the lease no longer holds the lock. */
export const FENCE_NOT_HELD = -1;
/** Reply of the prelude when the lease still holds the lock but its expiry has passed. */
export const FENCE_EXPIRED = -2;

/**
 * Lua prelude for every money-moving script: it refuses the write, before any other command runs, unless
 * the lock key still carries the lease's token and the lease has not expired. On success it defines
 * `fence` (the number in the lock value) for the body to record, and `now`.
 *
 * Uses KEYS[1] and ARGV[1..2]; the body's own keys and arguments start at KEYS[2] and ARGV[3]. The body
 * must not return -1 or -2 (the prelude's refusals).
 *
 *   holder A ── acquire(fence 7) ─ stalls (GC, frozen Lambda) ──────────────── commit? → -1, refused
 *   holder B ─────────────────────────────── takeover(fence 8) ─ commit → ok
 */
export const FENCE_PRELUDE_LUA = `${nowLua(2)}
local lockValue = redis.call('GET', KEYS[1])
if not lockValue then
  -- Released, or expired and collected: not ours.
  return ${FENCE_NOT_HELD}
end
local lockExpiresAt, lockFence, lockToken = string.match(lockValue, ${LOCK_VALUE_PATTERN})
if lockToken ~= ARGV[1] then
  -- Taken over by another holder (or a foreign value).
  return ${FENCE_NOT_HELD}
end
if tonumber(lockExpiresAt) <= now then
  -- Still ours on paper, but the lease ended: a stalled holder never commits.
  return ${FENCE_EXPIRED}
end
local fence = tonumber(lockFence)
`;

/**
 * Lua prelude for a fenced script under a lock that does not live in Redis (ZooKeeper): Redis cannot see
 * the lock, only the fences of its holders, which only grow (a znode's creation zxid). KEYS[1] is the
 * resource's high-water mark (same hash tag as the resource), ARGV[1] the lease's fence (a decimal
 * integer below 2^53, exact in a Lua number), ARGV[2] `now` as above. A fence lower than the mark is
 * refused (-1) before anything is written; an equal or higher one is accepted and recorded, so once a newer
 * holder has acquired (the ZooKeeper lock records its fence on acquisition) or written, an older one can
 * never write again.
 *
 *   holder A ── znode czxid 0x1_0005 ─ stalls; session expires ─────────────── commit? 0x1_0005 < mark → -1
 *   holder B ─────────────────────────────── czxid 0x1_0009 ─ mark := 0x1_0009 ─ commit → ok
 */
export const FENCE_HIGH_WATER_MARK_PRELUDE_LUA = `${nowLua(2)}
local fence = tonumber(ARGV[1])
local seen = tonumber(redis.call('GET', KEYS[1]))
if seen and fence < seen then
  -- A newer holder has acquired or written already: this lease is stale.
  return ${FENCE_NOT_HELD}
end
if not seen or fence > seen then
  -- The newest holder so far: from now on, every older fence is refused.
  redis.call('SET', KEYS[1], ARGV[1])
end
`;

/** The releasing process's next waiter on the resource, put in line by the release itself. */
export interface Successor {
  token: string;
  registrationMs: number;
  /** Its wake-up channel ('' when it polls). */
  channel: string;
}

/** A Lua script whose writes only happen while the caller's lease still holds the lock. */
export interface FencedScript<TResult> {
  readonly lua: string;
  /**
   * Runs the script under `guard`. Resolves with the body's reply, or rejects with {@link LockLostError}
   * (nothing written) when the lease no longer holds the lock. With `release: true` the same script then
   * deletes the lock key (the prelude already proved it is ours) and wakes the first waiter in line:
   * commit, release and hand-over in one round trip.
   * Prefer `DistributedLock.commit()`, which also tells waiters in this process that the lock is free.
   * Under a `'high-water-mark'` guard the script cannot release (the lock is not in Redis): `release: true`
   * throws `LockOptionsError`, and `DistributedLock.commit()` releases after the script instead.
   */
  run(
    client: ScriptClient,
    guard: FenceGuard,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options?: { release?: boolean },
  ): Promise<TResult>;
  /**
   * Runs the script under a `'lock-key'` guard with a wait list, releases, and hands over (see
   * `handOver` in waitListLua): `successor` joins the line first. Resolves with the body's reply and what
   * the hand-over did.
   */
  runAndHandOver(
    client: ScriptClient,
    guard: FenceGuard & { waitList: readonly [string, string] },
    keys: readonly string[],
    args: readonly ScriptArg[],
    successor: Successor | undefined,
  ): Promise<{ result: TResult; handover: Handover }>;
}

/**
 * Builds a fenced script from `bodyLua`, which runs after {@link FENCE_PRELUDE_LUA} (or, under a
 * `'high-water-mark'` guard, {@link FENCE_HIGH_WATER_MARK_PRELUDE_LUA}) and sees `fence` and `now`. Its keys
 * start at KEYS[2] and its arguments at ARGV[3]. A body must check everything before its first write:
 * Redis does not roll back a script that fails halfway.
 */
export function createFencedScript<TResult>(bodyLua: string): FencedScript<TResult> {
  type Reply = TResult | typeof FENCE_NOT_HELD | typeof FENCE_EXPIRED;
  const keep = createScript<Reply>(`${FENCE_PRELUDE_LUA}\n${bodyLua}`);
  // The body runs as a function so that its \`return\` still lets the release follow.
  const release = createScript<Reply>(`${FENCE_PRELUDE_LUA}
local result = (function()
${bodyLua}
end)()
redis.call('DEL', KEYS[1])
return result`);
  // The wait list's keys and the successor's arguments come last (the body's own keep their indexes).
  const releaseAndHandOver = createScript<[number, TResult] | typeof FENCE_NOT_HELD | typeof FENCE_EXPIRED>(
    `${FENCE_PRELUDE_LUA}
${waitListLua('KEYS[#KEYS - 1]', 'KEYS[#KEYS]')}
local result = (function()
${bodyLua}
end)()
redis.call('DEL', KEYS[1])
return {handOver(now, ARGV[#ARGV - 2], tonumber(ARGV[#ARGV - 1]), ARGV[#ARGV]), result}`,
  );
  const highWaterMark = createScript<Reply>(`${FENCE_HIGH_WATER_MARK_PRELUDE_LUA}\n${bodyLua}`);
  const runAndHandOver: FencedScript<TResult>['runAndHandOver'] = async (
    client,
    guard,
    keys,
    args,
    successor,
  ) => {
    const reply = await releaseAndHandOver.run(
      client,
      [guard.key, ...keys, ...guard.waitList],
      [
        guard.token,
        guard.now,
        ...args,
        successor?.token ?? '',
        successor?.registrationMs ?? 0,
        successor?.channel ?? '',
      ],
    );
    const [code, result] = checkFenceReply(reply, guard);
    return { result, handover: HANDOVER[code] ?? 'none' };
  };
  return {
    lua: keep.lua,
    runAndHandOver,
    async run(client, guard, keys, args, options = {}) {
      if (guard.scheme === 'high-water-mark') {
        if (options.release) {
          throw new LockOptionsError('release', 'this lock is not in Redis: release it through the lock');
        }
        const reply = await highWaterMark.run(
          client,
          [guard.key, ...keys],
          [String(guard.fence), guard.now, ...args],
        );
        return checkFenceReply(reply, guard);
      }
      if (options.release && guard.waitList) {
        const { waitList } = guard;
        return (await runAndHandOver(client, { ...guard, waitList }, keys, args, undefined)).result;
      }
      const scriptArgs = [guard.token, guard.now, ...args];
      const reply = await (options.release ? release : keep).run(client, [guard.key, ...keys], scriptArgs);
      return checkFenceReply(reply, guard);
    },
  };
}

/** Turns a prelude refusal into {@link LockLostError}; passes any other reply through. */
export function checkFenceReply<TResult>(reply: TResult | -1 | -2, guard: FenceGuard): TResult {
  if (reply === FENCE_NOT_HELD) throw new LockLostError(guard.resource, guard.fence, 'not-held');
  if (reply === FENCE_EXPIRED) throw new LockLostError(guard.resource, guard.fence, 'expired');
  return reply as TResult;
}
