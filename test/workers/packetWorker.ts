/**
 * Processes claim groups on the test's command: `{type: 'process', packetId, users, pause}`. With `pause`,
 * it reports `decided` after deciding and waits for `continue` before committing (the stall test stops it
 * there). Replies `{type: 'processed', outcomes}` with errors flattened to their names.
 * Env: REDIS_URL, LOCK_OPTIONS.
 */
import { Redis } from 'ioredis';
import { createRedisLock } from '../../lib/lock/index.ts';
import { createRedPackets } from '../../lib/packets/index.ts';
import type { WorkerMessage } from '../harness/spawnWorker.ts';
import { command, report } from '../harness/workerRuntime.ts';

const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
const rp = createRedPackets(redis, {
  lock: createRedisLock(redis, JSON.parse(process.env.LOCK_OPTIONS ?? '{}')),
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
