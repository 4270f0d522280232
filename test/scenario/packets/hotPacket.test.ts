import { describe, expect, it } from 'vitest';
import { createRedPackets, type ReconcileReport } from '../../../lib/packets/index.ts';
import { recordUnreservedClaims } from '../../harness/acceptedItems.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';
import { spawnWorker, type WorkerMessage } from '../../harness/spawnWorker.ts';

const redis = useRedis();
const PROCESSES = 4;
const TOTAL = 100_000;
const COUNT = 300;
const USERS = 600; // more claimers than shares

interface Done extends WorkerMessage {
  outcomes: Record<string, string>;
  retries: number;
}

/** Races PROCESSES claim workers on one fresh packet; returns the reconcile report and what workers saw. */
async function race(env: Record<string, string>) {
  const rp = createRedPackets(redis.client());
  const { packetId } = await fundedPacket(rp, { totalAmount: TOTAL, count: COUNT });
  // More claimers than shares, recorded as the door did before it reserved: the door now turns the extra
  // users away, so only records without a reservation put them in front of the lock.
  await recordUnreservedClaims(
    rp,
    packetId,
    Array.from({ length: USERS }, (_, i) => `u${i}`),
  );
  const workers = Array.from({ length: PROCESSES }, () =>
    spawnWorker('claimWorker', {
      REDIS_URL: redis.url,
      PACKET: packetId,
      LOOPS: '8',
      GROUPS: '10',
      GROUP_SIZE: '5',
      USERS: String(USERS),
      ...env,
    }),
  );
  await Promise.all(workers.map((w) => w.next('ready')));
  for (const w of workers) w.send({ type: 'go' });
  const done = await Promise.all(workers.map((w) => w.next<Done>('done', 120_000)));
  const report: ReconcileReport = await rp.reconcile(packetId);
  const ledger = await rp.listPayouts(packetId, { limit: 1000 });
  const paidUsers = ledger.items.map((p) => p.userId);
  return { report, done, paidUsers, claimed: new Set(done.flatMap((d) => Object.keys(d.outcomes))) };
}

describe('one hot packet, 4 processes × 8 concurrent groups, duplicates, more claimers than shares', () => {
  it('pays exactly count shares summing to the total, nobody twice, every claim terminal', async () => {
    const { report, done, paidUsers, claimed } = await race({ MODE: 'locked' });

    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({ ok: true, paidCount: COUNT, paidAmount: TOTAL, remaining: 0 });
    expect(new Set(paidUsers).size).toBe(paidUsers.length);
    // Every user a worker claimed for has a terminal record, and the workers saw the same.
    expect(report.records.paid + report.records.rejected).toBe(claimed.size);
    expect(report.records.queued).toBe(USERS - claimed.size); // recorded, never drawn by a worker
    for (const d of done)
      for (const status of Object.values(d.outcomes)) expect(['paid', 'rejected']).toContain(status);
  });

  it('a 2 ms TTL (shorter than the critical section) is still exact: fencing refuses stale commits', async () => {
    const { report, done } = await race({
      MODE: 'locked',
      LOCK_OPTIONS: JSON.stringify({ ttlMs: 2, driftMs: 1, maxDelayMs: 4 }),
    });
    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({ ok: true, paidCount: COUNT, paidAmount: TOTAL });
    expect(done.reduce((n, d) => n + d.retries, 0)).toBeGreaterThan(0); // stale commits were refused and redone
  });

  it('control: the same race without the lock overspends or double-pays', async () => {
    const { report, paidUsers } = await race({ MODE: 'naive' });
    const doublePaid = paidUsers.length - new Set(paidUsers).size;
    expect(report.ok).toBe(false);
    expect(report.paidAmount > TOTAL || report.paidCount > COUNT || doublePaid > 0).toBe(true);
  });

  it('control: the lock with a 2 ms TTL but no fence check overspends or double-pays', async () => {
    const { report, paidUsers } = await race({
      MODE: 'unfenced',
      LOCK_OPTIONS: JSON.stringify({ ttlMs: 2, driftMs: 1, maxDelayMs: 4 }),
    });
    const doublePaid = paidUsers.length - new Set(paidUsers).size;
    expect(report.ok).toBe(false);
    expect(report.paidAmount > TOTAL || report.paidCount > COUNT || doublePaid > 0).toBe(true);
  });
});
