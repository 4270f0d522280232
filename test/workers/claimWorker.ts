/**
 * Claims against one hot packet from LOOPS concurrent loops, each sending groups of GROUP_SIZE claims drawn
 * from USERS users (duplicates within and across processes), re-sending `retry` items until every item has
 * a terminal outcome. Env: REDIS_URL, PACKET, MODE (`locked`: processItems; `naive`: read, decide and write
 * absolute values with no lock, the control; `unfenced`: the same under the lock with no fence check, the
 * other control), LOOPS, GROUPS (per loop), GROUP_SIZE, USERS (the test records their claims first: the consumer
 * pays only accepted claims), LOCK_OPTIONS, LOCK_BACKEND (see workerLock.ts).
 * Reports `{type: 'done', outcomes: {userId: status}, retries}` after `go`.
 */
import { Redis } from 'ioredis';
import { parseRecord, recordField } from '../../lib/packets/claimRecord.ts';
import { decide } from '../../lib/packets/decide.ts';
import { createRandom, createRedPackets, type ItemOutcome, packetKeys } from '../../lib/packets/index.ts';
import { parsePacketState } from '../../lib/packets/packetState.ts';
import { command, report, runWorker } from '../harness/workerRuntime.ts';
import { workerLock } from './workerLock.ts';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const mode = env('MODE', 'locked');
const packetId = env('PACKET', '');
const loops = Number(env('LOOPS', '8'));
const groups = Number(env('GROUPS', '10'));
const groupSize = Number(env('GROUP_SIZE', '5'));
const users = Number(env('USERS', '100'));
const redis = new Redis(env('REDIS_URL', ''), { maxRetriesPerRequest: 1 });
const { lock, close } = await workerLock(redis);
const rp = createRedPackets(redis, { lock });
const keys = packetKeys('rp:', packetId);
const outcomes: Record<string, string> = {};
let retries = 0;

/** The textbook mistake: decide from a snapshot, then write the computed state back as absolute values. */
async function naive(userIds: string[]): Promise<ItemOutcome[]> {
  const items = userIds.map((userId) => ({ kind: 'claim' as const, userId }));
  const lease = mode === 'unfenced' ? await lock.acquire(packetId, { waitMs: 30_000 }) : undefined;
  const [hash, records] = await Promise.all([
    redis.hgetall(keys.packet),
    redis.hmget(keys.claims, ...items.map(recordField)),
  ]);
  const state = parsePacketState(packetId, hash);
  if (!state) throw new Error('packet missing');
  const snapshot = { records: records.map(parseRecord), payees: new Map(), repeatBatches: new Set<string>() };
  const decisions = decide(state, items, snapshot, {
    now: Date.now(),
    fence: lease?.fence ?? 0,
    random: createRandom(),
  });
  // Under the lock (unfenced), the section outlives the 2 ms lease (+ 1 ms drift) the control runs with, as
  // a stalled holder's does: without a fence check its write lands after someone else took over.
  await new Promise((resolve) => (mode === 'unfenced' ? setTimeout(resolve, 4) : setImmediate(resolve)));
  const tx = redis.multi();
  let { remaining, remainingCount } = state;
  for (const d of decisions) {
    if (d.type !== 'fresh') continue;
    tx.hset(keys.claims, d.field, JSON.stringify(d.record));
    if (d.record.status !== 'paid') continue;
    remaining -= d.record.amount ?? 0;
    remainingCount -= 1;
    tx.xadd(
      keys.ledger,
      '*',
      'id',
      d.record.id,
      'user',
      d.item.userId,
      'amount',
      d.record.amount ?? 0,
      'fence',
      d.record.fence ?? 0,
      'at',
      Date.now(),
    );
  }
  tx.hset(keys.packet, { remaining, remainingCount });
  await tx.exec();
  if (lease) await lock.release(lease);
  return decisions.map((d): ItemOutcome => {
    if (d.type === 'refused') return { status: 'refused', reason: d.reason };
    const duplicate = d.type === 'duplicate';
    return d.record.status === 'paid'
      ? {
          status: 'paid',
          id: d.record.id,
          amount: d.record.amount ?? 0,
          fence: d.record.fence ?? 0,
          duplicate,
        }
      : { status: 'rejected', id: d.record.id, reason: d.record.reason ?? 'exhausted', duplicate };
  });
}

async function loop(): Promise<void> {
  let pending: string[] = [];
  for (let g = 0; g < groups || pending.length > 0; g++) {
    const fresh =
      g < groups ? Array.from({ length: groupSize }, () => `u${Math.floor(Math.random() * users)}`) : [];
    const group = [...pending, ...fresh];
    pending = [];
    const results =
      mode === 'locked'
        ? await rp.processItems(
            packetId,
            group.map((userId) => ({ kind: 'claim', userId })),
            { deadline: Date.now() + 30_000 },
          )
        : await naive(group);
    results.forEach((outcome, i) => {
      const userId = group[i] as string;
      if (outcome.status === 'retry') {
        retries++;
        pending.push(userId);
      } else outcomes[userId] = outcome.status;
    });
  }
}

runWorker(async () => {
  report({ type: 'ready' });
  await command('go');
  await Promise.all(Array.from({ length: loops }, loop));
  report({ type: 'done', outcomes, retries });
  await close();
  redis.disconnect();
});
