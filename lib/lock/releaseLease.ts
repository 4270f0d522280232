import { createScript } from './createScript.ts';
import { LOCK_VALUE_PATTERN, nowLua, waitListLua } from './luaSnippets.ts';

/**
 * What a release did for the line: `'none'` nobody waits, `'remote'` the first waiter (another process, or
 * another lock instance) was woken through its channel, `'successor'` the releaser's own next waiter is
 * first (its process wakes it, nothing is published).
 */
export type Handover = 'none' | 'remote' | 'successor';

/** Decodes {@link releaseLease}'s (and a releasing commit's) hand-over code. */
export const HANDOVER: Record<number, Handover> = { 1: 'none', 2: 'remote', 3: 'successor' };

/**
 * Compare-and-delete: deletes the lock key only while it still carries the lease's owner token (never a
 * bare DEL, which would free a lock that another holder took over meanwhile), then hands over in the same
 * script: the releaser's own next waiter (if it has one) joins the line without asking, and the first
 * waiter in line is woken, so the next holder learns of the release without polling for it.
 *
 * KEYS[1] lock key, KEYS[2] wait list, KEYS[3] waiters. ARGV[1] owner token, ARGV[2] the releaser's next
 * waiter's token ('' for none), ARGV[3] its registration ms, ARGV[4] its channel, ARGV[5] now ms (negative:
 * Redis TIME).
 * Returns 0 when the lock was not ours (taken over, expired and gone, or already released; a lock found
 * gone still wakes the first waiter, since it is free), else the
 * hand-over code (see {@link HANDOVER}).
 */
export const releaseLease = createScript<0 | 1 | 2 | 3>(`${nowLua(5)}
${waitListLua('KEYS[2]', 'KEYS[3]')}
local current = redis.call('GET', KEYS[1])
if not current then
  -- Gone: released already, or expired (set-nx-px) and collected. Not ours, but free: the first waiter
  -- may take it now, and a lease that ran out woke nobody.
  pruneWaiters(now)
  wakeHead()
  return 0
end
local _, _, token = string.match(current, ${LOCK_VALUE_PATTERN})
if token ~= ARGV[1] then
  -- Someone else holds it now.
  return 0
end
redis.call('DEL', KEYS[1])
return handOver(now, ARGV[2], tonumber(ARGV[3]), ARGV[4])
`);
