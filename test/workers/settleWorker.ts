/**
 * A settler in a process of its own, for crash races: on `{type: 'settle', packetId}` it settles the packet
 * (MODE `locked`: the real `settlePacket`; MODE `naive`, the control: read the remainder, credit it to the
 * owner and empty the packet in three separate commands, with no lock and no "settled already" check) and
 * reports `{type: 'settled', refunded}`. Env: REDIS_URL, MODE, LOCK_OPTIONS (see workerLock.ts).
 */
import { Redis } from 'ioredis';
import { createRedPackets, ownerKeys, packetKeys } from '../../lib/packets/index.ts';
import type { WorkerMessage } from '../harness/spawnWorker.ts';
import { report } from '../harness/workerRuntime.ts';
import { workerLock } from './workerLock.ts';

const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
const { lock } = await workerLock(redis);
const rp = createRedPackets(redis, { lock });

async function naive(packetId: string): Promise<number> {
  const keys = packetKeys('rp:', packetId);
  const [remaining, owner] = await redis.hmget(keys.packet, 'remaining', 'createdBy');
  const refund = Number(remaining ?? 0);
  // The window a read-then-write has, wide enough that the other settler reads before this one writes even
  // when the machine is loaded (both are told to go back to back).
  await new Promise((resolve) => setTimeout(resolve, 250));
  await redis.hincrby(ownerKeys('rp:', owner ?? '').account, 'balance', refund);
  await redis.hset(keys.packet, { remaining: 0, remainingCount: 0, refunded: refund, settledAt: Date.now() });
  return refund;
}

process.on('message', (raw) => {
  const m = raw as WorkerMessage & { packetId: string };
  if (m.type !== 'settle') return;
  const settle =
    process.env.MODE === 'naive'
      ? naive(m.packetId)
      : rp.settlePacket(m.packetId).then((s) => (s.settled === 'now' ? s.refunded : 0));
  settle.then(
    (refunded) => report({ type: 'settled', refunded }),
    (error: unknown) => report({ type: 'error', message: String(error) }),
  );
});
report({ type: 'ready' });
