import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createRedisLock, LockError } from '../../../lib/lock/index.ts';
import {
  createRedPackets,
  type ItemOutcome,
  PacketError,
  packetKeys,
  StoreUnavailableError,
} from '../../../lib/packets/index.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';

const redis = useRedis();
const LOCK = { ttlMs: 300, driftMs: 50 };

describe('failures in the middle of a group', () => {
  it('a holder stopped past its TTL mid-group cannot commit; its items come back as retry and are paid once', async () => {
    // Prepare: the child decides u1's share, reports, and is frozen before committing.
    const rp = createRedPackets(redis.client(), { lock: createRedisLock(redis.client(), LOCK) });
    const { packetId } = await rp.createPacket({ totalAmount: 300, count: 3, mode: 'equal' });
    const child = spawnWorker('packetWorker', { REDIS_URL: redis.url, LOCK_OPTIONS: JSON.stringify(LOCK) });
    await child.next('ready');
    child.send({ type: 'process', packetId, users: ['u1'], pause: true });
    await child.next('decided');
    child.signal('SIGSTOP');

    // Act: another consumer takes the packet over and pays two users; then the stalled one wakes up.
    const meanwhile = await rp.processItems(
      packetId,
      [
        { kind: 'claim', userId: 'u2' },
        { kind: 'claim', userId: 'u3' },
      ],
      {
        deadline: Date.now() + 5000,
      },
    );
    child.signal('SIGCONT');
    child.send({ type: 'continue' });
    const stalled = await child.next<WorkerMessage & { outcomes: Array<{ status: string; error?: string }> }>(
      'processed',
    );
    child.send({ type: 'process', packetId, users: ['u1'] });
    const retried = await child.next<WorkerMessage & { outcomes: ItemOutcome[] }>('processed');

    // Assess
    expect(meanwhile.map((o) => o.status)).toEqual(['paid', 'paid']);
    expect(stalled.outcomes).toEqual([{ status: 'retry', error: 'LockLostError' }]);
    expect(retried.outcomes[0]).toMatchObject({ status: 'paid', amount: 100 });
    const report = await rp.reconcile(packetId);
    expect(report).toMatchObject({ ok: true, paidCount: 3, paidAmount: 300 });
    const ledger = (await rp.listPayouts(packetId)).items;
    expect(ledger.filter((p) => p.userId === 'u1')).toHaveLength(1);
    expect(ledger.map((p) => p.fence)).toEqual([...ledger.map((p) => p.fence)].sort((a, b) => a - b));
  });

  it('Redis killed and restarted mid-run: items in flight come back as typed retries, none is paid twice', async () => {
    // Prepare: a client that fails fast while the server is down, and groups running concurrently.
    const client = redis.client({ maxRetriesPerRequest: 0, enableOfflineQueue: false });
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    const rp = createRedPackets(client, { lock: createRedisLock(client, { ttlMs: 1000 }) });
    const { packetId, ...spec } = await rp.createPacket({ totalAmount: 50_000, count: 200 });
    const users = Array.from({ length: 300 }, (_, i) => `u${i}`);
    const outcomes = new Map<string, ItemOutcome>();
    const run = async (group: string[]) => {
      const result = await rp.processItems(
        packetId,
        group.map((userId) => ({ kind: 'claim', userId })),
        {
          deadline: Date.now() + 2000,
        },
      );
      for (const [i, o] of result.entries()) outcomes.set(group[i] as string, o);
    };
    const running = Promise.all(
      Array.from({ length: 30 }, (_, g) => sleep(g * 3).then(() => run(users.slice(g * 10, g * 10 + 10)))),
    );

    // Act: kill the server mid-run, then bring it back empty and restore the packet as it was created.
    await sleep(20);
    await redis.server.kill('SIGKILL');
    await running;
    await redis.server.restart();
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    const restored = { totalAmount: spec.totalAmount, count: spec.count, remaining: spec.totalAmount };
    await client.hset(packetKeys('rp:', packetId).packet, {
      ...restored,
      remainingCount: spec.count,
      mode: spec.mode,
      createdAt: spec.createdAt,
      expiresAt: spec.expiresAt,
    });
    const retry = users.filter((u) => outcomes.get(u)?.status === 'retry');
    const errors = retry.map((u) => (outcomes.get(u) as Extract<ItemOutcome, { status: 'retry' }>).error);
    for (let i = 0; i < retry.length; i += 10) await run(retry.slice(i, i + 10));
    for (let i = 0; i < retry.length; i += 10) await run(retry.slice(i, i + 10)); // redelivered again: no effect

    // Assess
    expect(retry.length).toBeGreaterThan(0);
    for (const error of errors) expect(error instanceof PacketError || error instanceof LockError).toBe(true);
    for (const u of users) expect(outcomes.get(u)?.status).not.toBe('retry');
    const report = await rp.reconcile(packetId);
    expect(report.discrepancies).toEqual([]);
    expect(report.paidCount).toBe(Math.min(200, retry.length));
  });
});

it('retry outcomes carry typed errors', () => {
  const error = new StoreUnavailableError('pk_x', new Error('Connection is closed.'));
  expect(error).toMatchObject({ code: 'store_unavailable', retryable: true, packetId: 'pk_x' });
});
