import type { LockContender } from './LockContender.ts';
import { lockFree } from './lockFree.ts';
import { ourLock } from './ourLock.ts';
import { redisSemaphore } from './redisSemaphore.ts';
import { redlock } from './redlock.ts';
import { zooKeeper } from './zooKeeper.ts';

export type { ContenderContext, Held, LockContender, OpenContender } from './LockContender.ts';

/** Every contender of the lock bench, in table order; the baseline first. */
export const CONTENDERS: readonly LockContender[] = [
  lockFree,
  ourLock('getset', false),
  ourLock('set-nx-px', false),
  ourLock('getset', true),
  ourLock('set-nx-px', true),
  ourLock('getset', true, 'redis'),
  redlock('default'),
  redlock('tuned'),
  redlock('short retries'),
  redisSemaphore('default'),
  redisSemaphore('tuned'),
  redisSemaphore('short retries'),
  zooKeeper,
];

/** The contender called `name`; throws naming the known ones. */
export function contenderNamed(name: string): LockContender {
  const found = CONTENDERS.find((c) => c.name === name);
  if (!found) throw new Error(`unknown contender "${name}": ${CONTENDERS.map((c) => c.name).join(', ')}`);
  return found;
}
