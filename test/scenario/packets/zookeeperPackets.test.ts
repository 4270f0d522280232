import { describe, expect, it } from 'vitest';
import { createZooKeeperLock } from '../../../lib/lock/zookeeper/index.ts';
import { createRedPackets, type ItemOutcome } from '../../../lib/packets/index.ts';
import { recordClaims, recordUnreservedClaims } from '../../harness/acceptedItems.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';
import { useZooKeeper } from '../../harness/zookeeperFixture.ts';

const redis = useRedis();
const zk = useZooKeeper();
const SESSION_MS = 2000;

function zkEnv(): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    LOCK_BACKEND: 'zookeeper',
    ZOOKEEPER_CONNECT: zk.connectString,
    ZOOKEEPER_SESSION_TIMEOUT_MS: String(SESSION_MS),
  };
}

/** The packet operations in this process, under the ZooKeeper lock. */
function packets() {
  const client = redis.client();
  const lock = createZooKeeperLock(zk.session({ sessionTimeoutMs: SESSION_MS }), client);
  return createRedPackets(client, { lock });
}

describe('one hot packet under the ZooKeeper lock (LOCK_BACKEND=zookeeper)', () => {
  const PROCESSES = 4;
  const TOTAL = 100_000;
  const COUNT = 300;

  async function race(mode: string) {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: TOTAL, count: COUNT });
    // More claimers than shares: recorded without reservations (see recordUnreservedClaims).
    await recordUnreservedClaims(
      rp,
      packetId,
      Array.from({ length: 600 }, (_, i) => `u${i}`),
    );
    const workers = Array.from({ length: PROCESSES }, () =>
      spawnWorker('claimWorker', {
        ...zkEnv(),
        PACKET: packetId,
        MODE: mode,
        LOOPS: '8',
        GROUPS: '10',
        GROUP_SIZE: '5',
        USERS: '600',
      }),
    );
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) w.send({ type: 'go' });
    const done = await Promise.all(
      workers.map((w) => w.next<WorkerMessage & { outcomes: Record<string, string> }>('done', 120_000)),
    );
    const report = await rp.reconcile(packetId);
    const paidUsers = (await rp.listPayouts(packetId, { limit: 1000 })).items.map((p) => p.userId);
    return { report, paidUsers, claimed: new Set(done.flatMap((d) => Object.keys(d.outcomes))) };
  }

  it('4 processes × 8 groups in flight: exactly count shares, summing to the total, nobody paid twice', async () => {
    const { report, paidUsers, claimed } = await race('locked');
    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({ ok: true, paidCount: COUNT, paidAmount: TOTAL, remaining: 0 });
    expect(report.records.queued).toBe(600 - claimed.size); // only claims no worker ever drew
    expect(new Set(paidUsers).size).toBe(paidUsers.length);
  });

  it('control: the same race without the lock overspends or double-pays', async () => {
    const { report, paidUsers } = await race('naive');
    const doublePaid = paidUsers.length - new Set(paidUsers).size;
    expect(report.ok).toBe(false);
    expect(report.paidAmount > TOTAL || report.paidCount > COUNT || doublePaid > 0).toBe(true);
  });
});

describe('a ZooKeeper holder whose session expired while it was stopped', () => {
  /**
   * A child decides u1's share and is stopped (SIGSTOP) before committing; its session expires, and this
   * process pays u2 and u3 under a newer lease; then the child resumes and commits.
   */
  async function staleCommit(env: Record<string, string>) {
    const rp = packets();
    const { packetId } = await fundedPacket(rp, { totalAmount: 300, count: 3, mode: 'equal' });
    await recordClaims(rp, packetId, ['u1', 'u2', 'u3']);
    const child = spawnWorker('packetWorker', { ...zkEnv(), ...env });
    await child.next('ready');
    child.send({ type: 'process', packetId, users: ['u1'], pause: true });
    await child.next('decided');
    child.signal('SIGSTOP');
    const meanwhile = await rp.processItems(
      packetId,
      [
        { kind: 'claim', userId: 'u2' },
        { kind: 'claim', userId: 'u3' },
      ],
      { deadline: Date.now() + 10_000 },
    );
    child.signal('SIGCONT');
    child.send({ type: 'continue' });
    const stalled = await child.next<WorkerMessage & { outcomes: Array<{ status: string; error?: string }> }>(
      'processed',
    );
    return { rp, packetId, child, meanwhile, stalled };
  }

  it('cannot commit a payout: its items come back as retry, and the retry pays u1 once', async () => {
    const { rp, packetId, child, meanwhile, stalled } = await staleCommit({});
    child.send({ type: 'process', packetId, users: ['u1'] });
    const retried = await child.next<WorkerMessage & { outcomes: ItemOutcome[] }>('processed');

    expect(meanwhile.map((o) => o.status)).toEqual(['paid', 'paid']);
    expect(stalled.outcomes).toEqual([{ status: 'retry', error: 'LockLostError' }]);
    expect(retried.outcomes[0]).toMatchObject({ status: 'paid', amount: 100 });
    expect(await rp.reconcile(packetId)).toMatchObject({ ok: true, paidCount: 3, paidAmount: 300 });
    const ledger = (await rp.listPayouts(packetId)).items;
    expect(ledger.filter((p) => p.userId === 'u1')).toHaveLength(1);
    // Fences (creation zxids) only grow along the ledger: no payout was made under an older lease.
    expect(ledger.map((p) => p.fence)).toEqual([...ledger.map((p) => p.fence)].sort((a, b) => a - b));
  });

  it('control: with the fence check skipped, the stale holder commits after a newer holder did', async () => {
    const { rp, packetId, meanwhile, stalled } = await staleCommit({ SKIP_FENCE: '1' });

    expect(meanwhile.map((o) => o.status)).toEqual(['paid', 'paid']);
    expect(stalled.outcomes).toMatchObject([{ status: 'paid' }]);
    const ledger = (await rp.listPayouts(packetId)).items;
    expect(ledger.map((p) => p.userId)).toEqual(['u2', 'u3', 'u1']);
  });
});
