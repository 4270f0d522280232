import { createScript } from '../../lib/lock/index.ts';
import type { LockContender } from './LockContender.ts';

/** Read-modify-write of the counter in one atomic script: what a user without a lock writes. */
const lockFreeIncrement = createScript<number>(`
local value = (tonumber(redis.call('GET', KEYS[1])) or 0) + 1
redis.call('SET', KEYS[1], value)
return value
`);

/** The baseline every ratio is taken to: no lock at all, one script per increment. */
export const lockFree: LockContender = {
  name: 'lock-free',
  group: 'baseline',
  backend: 'redis',
  crashable: false,
  settings: 'one Lua script per increment (GET + SET inside Redis)',
  open({ redis }) {
    return {
      acquire: () => Promise.reject(new Error('the lock-free baseline has no lock')),
      async increment(_resource, counterKey) {
        await lockFreeIncrement.run(redis, [counterKey], []);
        return undefined;
      },
      close: async () => {},
    };
  },
};
