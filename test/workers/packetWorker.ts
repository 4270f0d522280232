/**
 * Processes claim groups on the test's command: `{type: 'process', packetId, users, pause}`. With `pause`,
 * it reports `decided` after deciding and waits for `continue` before committing (the stall test stops it
 * there). Replies `{type: 'processed', outcomes}` with errors flattened to their names.
 * Env: REDIS_URL, LOCK_OPTIONS, LOCK_BACKEND (see workerLock.ts), SKIP_FENCE=1 (the control: commits skip
 * the lease checks, see skipFenceCheck.ts).
 */
import { Redis } from 'ioredis';
import { createRedPackets } from '../../lib/packets/index.ts';
import type { WorkerMessage } from '../harness/spawnWorker.ts';
import { command, report } from '../harness/workerRuntime.ts';
import { skipFenceCheck } from './skipFenceCheck.ts';
import { workerLock } from './workerLock.ts';

const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
const { lock } = await workerLock(redis);
const rp = createRedPackets(redis, {
  lock: process.env.SKIP_FENCE === '1' ? skipFenceCheck(lock, redis) : lock,
});

process.on('message', (raw) => {
  const m = raw as WorkerMessage & { packetId: string; users: string[]; pause?: boolean };
  if (m.type !== 'process') return;
  const items = m.users.map((userId) => ({ kind: 'claim', userId }));
  rp.processItems(m.packetId, items, {
    deadline: Date.now() + 10_000,
    onDecided: async () => {
      if (!m.pause) return;
      report({ type: 'decided' });
      await command('continue');
    },
  }).then(
    (outcomes) =>
      report({
        type: 'processed',
        outcomes: outcomes.map((o) => (o.status === 'retry' ? { status: 'retry', error: o.error.name } : o)),
      }),
    (error: unknown) => report({ type: 'error', message: String(error) }),
  );
});
report({ type: 'ready' });
