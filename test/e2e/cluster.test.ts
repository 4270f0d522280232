import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimIdFor } from '../../lib/packets/index.ts';
import { QUICK_LOCK, useLocalStack } from '../harness/localStackFixture.ts';
import { useRedisCluster } from '../harness/redisClusterFixture.ts';
import { runCli } from '../harness/runCliProcess.ts';

// The functions, the CLI and the tests all on a 3-primary / 3-replica Redis Cluster, every acknowledgement
// waiting for one replica.
const redis = useRedisCluster();
const api = useLocalStack(() => ({
  redisUrl: redis.cluster.seeds,
  redisMode: 'cluster',
  minReplicas: 1,
  visibilityTimeoutSeconds: 2,
  ...QUICK_LOCK,
  scheduleSeconds: 1,
  resendAfterMs: 2000,
}));
const dir = mkdtempSync(join(tmpdir(), 'rp-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = () => ({
  REDIS_URL: redis.cluster.seeds,
  REDIS_MODE: 'cluster',
  REDIS_MIN_REPLICAS: '1',
  CLAIMS_QUEUE_URL: api.stack.queues.queueUrl,
  SQS_ENDPOINT: api.stack.sqsEndpoint,
});

describe('the local stack on a Redis Cluster (REDIS_MODE=cluster, REDIS_MIN_REPLICAS=1)', () => {
  it('claims over HTTP and a payout batch on each of 100 packets spread over the shards: every packet reconciles', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const reply = await api.createPacket({ totalAmount: 10_000, count: 7 });
      expect(reply.status).toBe(201);
      ids.push(reply.body.packetId);
    }
    const users = ['a', 'b', 'c', 'd'];
    const claims = await Promise.all(
      ids.flatMap((id) =>
        users.map((u) => api.request('POST', `/packets/${id}/claims`, { headers: { 'x-user-id': u } })),
      ),
    );
    const batches = await Promise.all(
      ids.map((packetId) =>
        api.request<{ accepted: number }>('POST', '/payout-batches', {
          body: JSON.stringify({
            packetId,
            items: [1, 2, 3].map((n) => ({ userId: `w${n}`, amount: 10 * n })),
          }),
        }),
      ),
    );

    expect(claims.map((c) => c.status)).toEqual(Array(400).fill(202));
    expect(batches.map((b) => [b.status, b.body.accepted])).toEqual(Array(100).fill([202, 3]));
    await api.eventually(async () => {
      for (const id of ids) {
        const packet = await api.request<{ paidCount: number }>('GET', `/packets/${id}`, {
          headers: { 'x-user-id': 'a' },
        });
        if (packet.body.paidCount !== 7) return undefined;
      }
      return true;
    }, 60_000);
    const slots = new Set<string>();
    for (const id of ids) {
      const report = await api.packets.reconcile(id);
      expect({ id, discrepancies: report.discrepancies }).toEqual({ id, discrepancies: [] });
      slots.add(
        String(
          await (api.redis as { call(...a: unknown[]): Promise<unknown> }).call(
            'CLUSTER',
            'KEYSLOT',
            `rp:{${id}}:packet`,
          ),
        ),
      );
    }
    const shards = new Set<string>();
    for (const slot of slots) shards.add((await redis.cluster.shardOf(Number(slot))).primary.id);
    expect(shards.size).toBe(3);
    const claim = await api.request<{ status: string }>('GET', `/claims/${claimIdFor(ids[0] ?? '', 'a')}`, {
      headers: { 'x-user-id': 'a' },
    });
    expect(claim.body.status).toBe('paid');
  }, 180_000);

  it('the operator CLI in cluster mode: a file submitted and followed to the end, then reconcile', async () => {
    const created = await runCli(
      [
        'packets',
        'create',
        '--total',
        '100000',
        '--count',
        '500',
        '--fund-reference',
        'cluster-cli',
        '--json',
      ],
      env(),
    );
    expect(created.code, created.stderr).toBe(0);
    const packetId = (JSON.parse(created.stdout) as { packetId: string }).packetId;
    const file = join(dir, 'winners.csv');
    writeFileSync(
      file,
      `userId,amount\n${Array.from({ length: 300 }, (_, i) => `p${i},${1 + (i % 50)}`).join('\n')}\n`,
    );

    const run = await runCli(
      ['payouts', 'submit', '--packet', packetId, '--file', file, '--wait', '--json'],
      env(),
    );
    const reconciled = await runCli(['reconcile', '--packet', packetId], env());

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).status).toMatchObject({ items: 300, paid: 300, queued: 0 });
    expect(reconciled.code, reconciled.stdout).toBe(0);
  }, 120_000);
});
