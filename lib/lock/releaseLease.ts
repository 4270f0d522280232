import { createScript } from './createScript.ts';
import { LOCK_VALUE_PATTERN } from './luaSnippets.ts';

/**
 * Compare-and-delete: deletes the lock key only while it still carries the lease's owner token. Never a
 * bare DEL, which would free a lock that another holder took over meanwhile.
 *
 * KEYS[1] lock key. ARGV[1] owner token.
 * Returns 1 when the lock was ours and is now free, 0 when it was not ours (taken over, expired and gone,
 * or already released).
 */
export const releaseLease = createScript<0 | 1>(`
local current = redis.call('GET', KEYS[1])
if not current then
  -- Gone: released already, or expired and collected.
  return 0
end
local _, _, token = string.match(current, ${LOCK_VALUE_PATTERN})
if token ~= ARGV[1] then
  -- Someone else holds it now.
  return 0
end
redis.call('DEL', KEYS[1])
return 1
`);
