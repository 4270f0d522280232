import { beforeEach, describe, expect, it } from 'vitest';
import {
  createRedPackets,
  packetKeys,
  type ReconcileCheck,
  type RedPackets,
} from '../../../lib/packets/index.ts';
import { recordBatch, recordClaims } from '../../harness/acceptedItems.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useRedis } from '../../harness/redisFixture.ts';

const redis = useRedis();
const soon = () => ({ deadline: Date.now() + 5000 });

/**
 * A live packet, paid through the real paths: two claims paid, one claim still queued (just accepted),
 * a batch with two paid items and one rejected (insufficient budget).
 */
async function livePacket(): Promise<{
  rp: RedPackets;
  packetId: string;
  keys: ReturnType<typeof packetKeys>;
}> {
  const rp = createRedPackets(redis.client());
  const { packetId } = await fundedPacket(rp, { totalAmount: 1000, count: 6, mode: 'equal' });
  await recordClaims(rp, packetId, ['alice', 'bob', 'waiting']);
  await rp.processItems(
    packetId,
    ['alice', 'bob'].map((userId) => ({ kind: 'claim', userId })),
    soon(),
  );
  const rows = [
    { userId: 'carol', amount: 100 },
    { userId: 'dave', amount: 200 },
    { userId: 'erin', amount: 900 },
  ];
  await recordBatch(rp, packetId, 'spring', rows);
  await rp.processItems(
    packetId,
    rows.map((row) => ({ kind: 'payout', batchId: 'spring', ...row })),
    soon(),
  );
  return { rp, packetId, keys: packetKeys('rp:', packetId) };
}

/** The ledger's first entry paying `user`, as flat fields. */
async function entryOf(keys: ReturnType<typeof packetKeys>, user: string): Promise<string[]> {
  const entries = await redis.client().xrange(keys.ledger, '-', '+');
  const found = entries.find(([, fields]) => fields[fields.indexOf('user') + 1] === user);
  if (!found) throw new Error(`no ledger entry for ${user}`);
  return found[1];
}

const checks = async (rp: RedPackets, packetId: string, stuckAfterMs?: number) =>
  (await rp.reconcile(packetId, stuckAfterMs === undefined ? {} : { stuckAfterMs })).discrepancies.map(
    (d) => d.check,
  );

describe('reconcile: every detector fires on its fault, injected straight into Redis on a live packet', () => {
  let live: Awaited<ReturnType<typeof livePacket>>;
  beforeEach(async () => {
    live = await livePacket();
  });

  it('control: the live packet, untouched, reconciles (a just-accepted claim is not stuck)', async () => {
    const report = await live.rp.reconcile(live.packetId);
    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      paidCount: 4,
      records: { paid: 4, rejected: 1, queued: 1 },
      reserved: 5, // 4 paid + the claim still queued, which holds its share
      batches: 1,
    });
  });

  /** Appends a ledger entry that no commit wrote. */
  const addEntry = (l: typeof live, entry: { id: string; user: string; amount: number; batch?: string }) =>
    redis
      .client()
      .xadd(
        l.keys.ledger,
        '*',
        ...['id', entry.id, 'user', entry.user, 'amount', String(entry.amount), 'fence', '1', 'at', '1'],
        ...(entry.batch ? ['batch', entry.batch] : []),
      );
  /** Rewrites a stored record with `patch` applied. */
  const patchRecord = async (l: typeof live, field: string, patch: (r: Record<string, number>) => object) => {
    const record = JSON.parse((await redis.client().hget(l.keys.claims, field)) ?? '{}');
    await redis.client().hset(l.keys.claims, field, JSON.stringify({ ...record, ...patch(record) }));
  };

  const cases: Array<[ReconcileCheck, (l: typeof live) => Promise<unknown>]> = [
    ['conservation_amount', (l) => redis.client().hincrby(l.keys.packet, 'remaining', 7)],
    ['conservation_count', (l) => redis.client().hincrby(l.keys.packet, 'remainingCount', 1)],
    ['negative_remaining', (l) => redis.client().hset(l.keys.packet, 'remainingCount', -1)],
    ['bad_amount', (l) => addEntry(l, { id: 'x', user: 'zed', amount: 0 })],
    [
      'entry_paid_twice',
      async (l) => redis.client().xadd(l.keys.ledger, '*', ...(await entryOf(l.keys, 'alice'))),
    ],
    ['claim_user_paid_twice', (l) => addEntry(l, { id: `${l.packetId}.other`, user: 'alice', amount: 5 })],
    [
      'batch_item_paid_twice',
      (l) => addEntry(l, { id: 'spring/x', user: 'carol', amount: 5, batch: 'spring' }),
    ],
    [
      'user_paid_twice',
      (l) => addEntry(l, { id: 'autumn/alice', user: 'alice', amount: 5, batch: 'autumn' }),
    ],
    ['entry_without_record', (l) => addEntry(l, { id: 'ghost', user: 'ghost', amount: 5 })],
    [
      'record_without_entry',
      (l) => patchRecord(l, 'u:waiting', () => ({ status: 'paid', amount: 5, fence: 1 })),
    ],
    ['entry_mismatch', (l) => patchRecord(l, 'b:spring/dave', (r) => ({ amount: (r.amount ?? 0) + 1 }))],
    ['batch_counters', (l) => redis.client().hincrby(l.keys.batch('spring'), 'paid', 1)],
    ['payee_index', (l) => redis.client().hdel(l.keys.payees, 'bob')],
    ['stuck_record', (l) => patchRecord(l, 'u:waiting', () => ({ requestedAt: Date.now() - 16 * 60_000 }))],
    // A leaked share: the counter says one fewer is taken than the paid and held ones (the door over-admits).
    ['reserved_mismatch', (l) => redis.client().hincrby(l.keys.packet, 'reserved', -1)],
    // A share held by nobody: the queued claim lost its reservation, the counter kept it (nobody can grab it).
    ['reserved_mismatch', (l) => patchRecord(l, 'u:waiting', () => ({ reserved: undefined }))],
    ['reserved_over_count', (l) => redis.client().hset(l.keys.packet, 'reserved', 7)],
  ];

  it.each(cases)('%s', async (check, inject) => {
    expect(await checks(live.rp, live.packetId)).toEqual([]);
    await inject(live);
    const found = await checks(live.rp, live.packetId);
    expect(found).toContain(check);
    expect((await live.rp.reconcile(live.packetId)).ok).toBe(false);
  });

  it('batch counters also cover rejected counts and items', async () => {
    await redis.client().hincrby(live.keys.batch('spring'), 'rejected:insufficient_budget', 1);
    expect(await checks(live.rp, live.packetId)).toEqual(['batch_counters']);
    await redis.client().hincrby(live.keys.batch('spring'), 'rejected:insufficient_budget', -1);
    await redis.client().hincrby(live.keys.batch('spring'), 'items', 1);
    expect(await checks(live.rp, live.packetId)).toEqual(['batch_counters']);
  });

  it('stuckAfterMs sets the bound: a claim queued a second ago is stuck under a 500 ms bound', async () => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await checks(live.rp, live.packetId, 500)).toEqual(['stuck_record']);
    expect((await live.rp.reconcile(live.packetId)).discrepancies).toEqual([]); // the default bound is 15 min
  });
});
