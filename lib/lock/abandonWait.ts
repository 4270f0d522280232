import { createScript } from './createScript.ts';
import { LOCK_VALUE_PATTERN, waitListLua } from './luaSnippets.ts';

/**
 * A waiter gives up (its deadline passed, it was aborted, or Redis failed under it): it leaves the line,
 * frees the lock if an attempt whose reply it never saw did win it, and, when the lock is free, wakes the
 * next waiter so its departure costs nobody a wait.
 *
 * KEYS[1] lock key, KEYS[2] wait list, KEYS[3] waiters. ARGV[1] the waiter's token.
 * Returns 1 when it held the lock (and freed it), else 0.
 */
export const abandonWait = createScript<0 | 1>(`${waitListLua('KEYS[2]', 'KEYS[3]')}
dequeueWaiter(ARGV[1])
local current = redis.call('GET', KEYS[1])
local held = 0
if current then
  local _, _, token = string.match(current, ${LOCK_VALUE_PATTERN})
  if token ~= ARGV[1] then return 0 end
  redis.call('DEL', KEYS[1])
  held = 1
end
wakeHead()
return held
`);
