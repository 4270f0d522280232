import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../infra/local/redisServer.ts';
import { createRedisLock, LockError } from '../../../lib/lock/index.ts';
import {
  claimIdFor,
  createRedPackets,
  type ItemOutcome,
  PacketError,
  StoreUnavailableError,
} from '../../../lib/packets/index.ts';
import { recordClaims, recordUnreservedClaims } from '../../harness/acceptedItems.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';

const redis = useRedis();
const LOCK = { ttlMs: 300, driftMs: 50 };

describe('failures in the middle of a group', () => {
  it('a holder stopped past its TTL mid-group cannot commit; its items come back as retry and are paid once', async () => {
    // Prepare: the child decides u1's share, reports, and is frozen before committing.
    const rp = createRedPackets(redis.client(), { lock: createRedisLock(redis.client(), LOCK) });
    const { packetId } = await fundedPacket(rp, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(rp, packetId, ['u1', 'u2', 'u3']);
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

  it('Redis (AOF) SIGKILLed mid-run and restarted from its own files: every acknowledged payout is still there, none is paid twice', async () => {
    const { acknowledged, retriedErrors, final, report } = await killMidRun(redis.server, redis.client);

    expect(retriedErrors.length).toBeGreaterThan(0); // the kill came mid-run
    for (const error of retriedErrors)
      expect(error instanceof PacketError || error instanceof LockError).toBe(true);
    expect(acknowledged.size).toBeGreaterThan(0);
    // The harness's own list of what the consumers were told was paid, against what Redis has now.
    for (const [user, amount] of acknowledged) expect(final.get(user)).toEqual({ status: 'paid', amount });
    expect([...final.values()].every((o) => o.status !== 'retry' && o.status !== 'refused')).toBe(true);
    expect(report.discrepancies).toEqual([]);
    expect(report.paidCount).toBe(200); // more claimers than shares: the packet ends exhausted
  });

  it('control: the same kill without persistence loses acknowledged payouts, and the test sees it', async () => {
    const server = await startRedisServer({ persistence: 'none' });
    const clients: Redis[] = [];
    try {
      const { acknowledged, final } = await killMidRun(server, (options) => {
        const c = new Redis(server.url, { maxRetriesPerRequest: 1, ...options });
        c.on('error', () => {});
        clients.push(c);
        return c;
      });
      const lost = [...acknowledged].filter(([user, amount]) => {
        const now = final.get(user);
        return now?.status !== 'paid' || now.amount !== amount;
      });
      expect(acknowledged.size).toBeGreaterThan(0);
      expect(lost.length).toBeGreaterThan(0);
    } finally {
      for (const c of clients) c.disconnect();
      await server.stop();
    }
  });
});

/**
 * 300 users claim 200 shares in 30 concurrent groups; the server is SIGKILLed mid-run and restarted (from its
 * own files, nothing rebuilt by hand), then every item that came back as retry is redelivered twice, as SQS
 * would. Returns what the consumers were told was paid before the kill, and every user's final outcome.
 */
async function killMidRun(server: RedisServer, client: (options?: RedisOptions) => Redis) {
  const setup = client();
  const fast = client({ maxRetriesPerRequest: 0, enableOfflineQueue: false });
  await new Promise<void>((resolve) => fast.once('ready', () => resolve()));
  const rp = createRedPackets(fast, { lock: createRedisLock(fast, { ttlMs: 1000 }) });
  const { packetId } = await fundedPacket(createRedPackets(setup), { totalAmount: 50_000, count: 200 });
  const users = Array.from({ length: 300 }, (_, i) => `u${i}`);
  await recordUnreservedClaims(createRedPackets(setup), packetId, users); // more claimers than shares
  const outcomes = new Map<string, ItemOutcome>();
  const acknowledged = new Map<string, number>();
  let killed = false;
  const run = async (group: string[]) => {
    const result = await rp.processItems(
      packetId,
      group.map((userId) => ({ kind: 'claim', userId })),
      { deadline: Date.now() + 2000 },
    );
    for (const [i, o] of result.entries()) {
      const user = group[i] as string;
      outcomes.set(user, o);
      if (o.status === 'paid' && !killed) acknowledged.set(user, o.amount);
    }
  };
  const running = Promise.all(
    Array.from({ length: 30 }, (_, g) => sleep(g * 3).then(() => run(users.slice(g * 10, g * 10 + 10)))),
  );
  await sleep(20);
  killed = true; // from here on, a reply may come after the kill: only earlier ones count as acknowledged
  await server.kill('SIGKILL');
  await running;
  await server.restart();
  await new Promise<void>((resolve) =>
    fast.status === 'ready' ? resolve() : fast.once('ready', () => resolve()),
  );
  const retry = users.filter((u) => outcomes.get(u)?.status === 'retry');
  const retriedErrors = retry.map(
    (u) => (outcomes.get(u) as Extract<ItemOutcome, { status: 'retry' }>).error,
  );
  for (let i = 0; i < retry.length; i += 10) await run(retry.slice(i, i + 10));
  for (let i = 0; i < retry.length; i += 10) await run(retry.slice(i, i + 10)); // redelivered again: no effect
  const final = new Map<string, { status: string; amount?: number }>();
  for (const user of users) {
    const claim = await rp.readClaim(claimIdFor(packetId, user));
    final.set(
      user,
      claim
        ? { status: claim.status, ...(claim.amount === undefined ? {} : { amount: claim.amount }) }
        : { status: 'missing' },
    );
  }
  const report = await rp.reconcile(packetId).catch(() => ({ discrepancies: ['packet lost'], paidCount: 0 }));
  return { acknowledged, retriedErrors, final, report };
}

it('retry outcomes carry typed errors', () => {
  const error = new StoreUnavailableError('pk_x', new Error('Connection is closed.'));
  expect(error).toMatchObject({ code: 'store_unavailable', retryable: true, packetId: 'pk_x' });
});
