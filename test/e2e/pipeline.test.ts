import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisLock } from '../../lib/lock/index.ts';
import { claimIdFor, packetKeys, parseClaimId } from '../../lib/packets/index.ts';
import { QUICK_LOCK, useLocalStack } from '../harness/localStackFixture.ts';

// A short visibility timeout and lock wait so that retries come back within seconds, and a sweeper that
// re-sends unsent claims after 2 s (deployed: every minute, after 30 s).
const api = useLocalStack({
  visibilityTimeoutSeconds: 2,
  ...QUICK_LOCK,
  scheduleSeconds: 1,
  resendAfterMs: 2000,
});
/** The headers of the user a claim id belongs to (only they may read it). */
const asOwnerOf = (claimId: string) => ({ 'x-user-id': parseClaimId(claimId)?.userId ?? '' });
const claim = (packetId: string, userId: string) =>
  api.request('POST', `/packets/${packetId}/claims`, { headers: { 'x-user-id': userId } });

async function createPacket(body: Record<string, unknown>) {
  const reply = await api.createPacket(body);
  expect(reply.status).toBe(201);
  return reply.body.packetId;
}

/** Waits until every claim id answers paid or rejected, and returns their bodies. */
async function terminal(claimIds: string[]) {
  return api.eventually(async () => {
    const replies = await Promise.all(
      claimIds.map((id) =>
        api.request<{ status: string }>('GET', `/claims/${id}`, { headers: asOwnerOf(id) }),
      ),
    );
    return replies.every((r) => r.body.status === 'paid' || r.body.status === 'rejected')
      ? replies.map((r) => r.body as { status: string; amount?: number; reason?: string; userId: string })
      : undefined;
  });
}

describe('the pipeline over real HTTP and SQS emulation', () => {
  it('holds a share for the first claimers (202), repeats the claim id for duplicates, turns the rest away at once (410), pays every 202, and reconciles', async () => {
    const packetId = await createPacket({ totalAmount: 1000, count: 3 });

    const replies = [];
    for (const user of ['a', 'b', 'a', 'c', 'd', 'e']) replies.push(await claim(packetId, user));

    expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 202, 410, 410]);
    expect(replies[2]?.body.claimId).toBe(replies[0]?.body.claimId);
    expect(replies[0]?.body).toEqual({
      claimId: claimIdFor(packetId, 'a'),
      status: 'queued',
      shareHeld: true,
    });
    expect(replies[4]?.body).toMatchObject({ error: { code: 'packet_exhausted' } });
    const ids = [...new Set(replies.filter((r) => r.status === 202).map((r) => String(r.body.claimId)))];
    const outcomes = await terminal(ids);
    const paid = outcomes.filter((o) => o.status === 'paid');
    expect(paid).toHaveLength(3); // every 202 paid: none rejected after it
    expect(paid.reduce((sum, o) => sum + (o.amount ?? 0), 0)).toBe(1000);
    expect(
      (await api.request('GET', `/packets/${packetId}`, { headers: { 'x-user-id': 'a' } })).body,
    ).toMatchObject({
      status: 'exhausted',
      paidAmount: 1000,
      paidCount: 3,
    });
    const page = await api.request<{ items: unknown[] }>(
      'GET',
      `/admin/packets/${packetId}/payouts?limit=2`,
      {
        headers: { 'x-operator-id': 'ops' },
      },
    );
    expect(page.body.items).toHaveLength(2);
    expect((await api.packets.reconcile(packetId)).ok).toBe(true);
    // A new claimer now gets 410; an earlier one still gets its own outcome.
    expect(await claim(packetId, 'late')).toMatchObject({
      status: 410,
      body: { error: { code: 'packet_exhausted' } },
    });
    expect((await claim(packetId, 'a')).body).toMatchObject({ claimId: claimIdFor(packetId, 'a') });
  });

  it('answers 410 for an expired packet and 404 for unknown ids', async () => {
    const packetId = await createPacket({ totalAmount: 100, count: 2, expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await claim(packetId, 'u')).toMatchObject({
      status: 410,
      body: { error: { code: 'packet_expired' } },
    });
    expect((await claim('pk_unknown', 'u')).status).toBe(404);
    expect((await api.request('GET', '/packets/pk_unknown', { headers: { 'x-user-id': 'u' } })).status).toBe(
      404,
    );
    expect(
      (
        await api.request('GET', `/claims/${claimIdFor('pk_unknown', 'u')}`, {
          headers: { 'x-user-id': 'u' },
        })
      ).body,
    ).toMatchObject({ error: { code: 'claim_not_found' } });
    // A malformed id names nothing and is refused before Redis is asked (test/e2e/edge.test.ts has more).
    expect((await api.request('GET', '/claims/nope', { headers: { 'x-user-id': 'u' } })).body).toMatchObject({
      error: { code: 'invalid_input' },
    });
  });

  it('rejects bad input with the JSON error shape and changes nothing', async () => {
    const packetId = await createPacket({ totalAmount: 100, count: 2 });
    const asUser = { 'x-user-id': 'someone' };
    const asOperator = { 'x-operator-id': 'ops' };
    // Every key but those of other packets (the settler and sweeper run in the background meanwhile).
    const ours = async () =>
      (await (api.redis as Redis).keys('*'))
        .filter((k) => !/\{pk_/.test(k) || k.includes(`{${packetId}}`))
        .sort();
    const keysBefore = await ours();
    const cases: Array<[string, string, { body?: string; headers?: Record<string, string> }, number]> = [
      ['POST', '/packets', { body: '{"totalAmount": 100,', headers: asUser }, 400],
      ['POST', '/packets', { body: '', headers: asUser }, 400],
      ['POST', '/packets', { body: '[]', headers: asUser }, 400],
      ['POST', '/packets', { body: '{"totalAmount": "100", "count": 1}', headers: asUser }, 400],
      ['POST', '/packets', { body: '{"totalAmount": 100.5, "count": 1}', headers: asUser }, 400],
      ['POST', '/packets', { body: '{"totalAmount": -100, "count": 1}', headers: asUser }, 400],
      ['POST', '/packets', { body: '{"count": 1}', headers: asUser }, 400],
      ['POST', '/packets', { body: '{"totalAmount": 100, "count": 1, "admin": true}', headers: asUser }, 400],
      [
        'POST',
        '/packets',
        { body: JSON.stringify({ totalAmount: 100, count: 1, pad: 'x'.repeat(20_000) }), headers: asUser },
        413,
      ],
      ['POST', '/packets', { body: '{"totalAmount": 100, "count": 1}' }, 401],
      ['POST', '/packets', { body: '{"totalAmount": 100, "count": 1}', headers: asUser }, 402], // no balance
      [
        'POST',
        '/packets',
        { body: '{"totalAmount": 100, "count": 1}', headers: { 'x-user-id': 'op:x' } },
        400,
      ],
      ['POST', `/packets/${packetId}/claims`, {}, 401],
      ['POST', `/packets/${packetId}/claims`, { headers: { 'x-user-id': 'has space' } }, 400],
      ['POST', `/packets/${packetId}/claims`, { headers: { 'x-user-id': 'x'.repeat(200) } }, 400],
      ['POST', `/packets/${packetId}/claims`, { headers: { 'x-user-id': 'u1' }, body: '{"amount": 5}' }, 400],
      ['POST', '/packets/%7Bbad%7D/claims', { headers: { 'x-user-id': 'u1' } }, 400],
      ['GET', `/packets/${packetId}/payouts?limit=abc`, { headers: asUser }, 400],
      ['GET', `/admin/packets/${packetId}/payouts?cursor=zzz`, { headers: asOperator }, 400],
      ['GET', `/packets/${packetId}/payouts`, { headers: asOperator }, 401], // an operator header on a user route
      ['GET', `/packets/${packetId}/payouts`, { headers: asUser }, 403], // not the owner
      ['GET', `/packets/${packetId}`, {}, 401],
      ['GET', '/claims/nope', {}, 401],
    ];
    for (const [method, path, init, status] of cases) {
      const reply = await api.request<{ error: { code: string; message: string; details: unknown[] } }>(
        method,
        path,
        init,
      );
      expect({ path, body: init.body?.slice(0, 40), status: reply.status }).toEqual({
        path,
        body: init.body?.slice(0, 40),
        status,
      });
      expect(reply.body.error).toEqual({
        code: expect.any(String),
        message: expect.any(String),
        details: expect.any(Array),
      });
      expect(JSON.stringify(reply.body)).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
    }
    expect(await ours()).toEqual(keysBefore);
  });

  it('partial batch failure: records that must wait are redelivered and paid once; the others are not held up', async () => {
    const busy = await createPacket({ totalAmount: 600, count: 6 });
    const free = await createPacket({ totalAmount: 600, count: 6 });
    // Someone holds the busy packet's lock for 3 s: its claims come back as retry (LOCK_WAIT_MS = 1000).
    const lock = createRedisLock(api.redis, { ttlMs: 3000 });
    await lock.acquire(busy);
    const users = ['u1', 'u2', 'u3'];
    for (const u of users) {
      await claim(busy, u);
      await claim(free, u);
    }
    const freeDone = await terminal(users.map((u) => claimIdFor(free, u)));
    const busyMeanwhile = await api.request<{ status: string }>('GET', `/claims/${claimIdFor(busy, 'u1')}`, {
      headers: { 'x-user-id': 'u1' },
    });
    const busyDone = await terminal(users.map((u) => claimIdFor(busy, u)));

    expect(freeDone.every((o) => o.status === 'paid')).toBe(true);
    expect(busyMeanwhile.body.status).toBe('queued');
    expect(busyDone.every((o) => o.status === 'paid')).toBe(true);
    const ledger = await api.packets.listPayouts(busy);
    expect(ledger.items.map((p) => p.userId).sort()).toEqual(users);
    expect(
      await api.eventually(async () =>
        (await api.queueDepth(api.stack.queues.queueUrl)) === 0 ? true : undefined,
      ),
    ).toBe(true);
  });

  it('a poison record reaches the DLQ after maxReceiveCount; nothing else is lost', async () => {
    const poisoned = await createPacket({ totalAmount: 100, count: 2 });
    const healthy = await createPacket({ totalAmount: 100, count: 2 });
    // A lock key this library did not write: every attempt fails permanently (LockValueError).
    await api.redis.set(packetKeys('rp:', poisoned).packet.replace(':packet', ':lock'), 'garbage');
    await claim(poisoned, 'victim');
    await claim(healthy, 'lucky');

    const dlqDepth = await api.eventually(async () => {
      const depth = await api.queueDepth(api.stack.queues.deadLetterQueueUrl);
      return depth > 0 ? depth : undefined;
    }, 40_000);

    expect(dlqDepth).toBe(1);
    expect((await terminal([claimIdFor(healthy, 'lucky')]))[0]?.status).toBe('paid');
    expect(
      (
        await api.request('GET', `/claims/${claimIdFor(poisoned, 'victim')}`, {
          headers: { 'x-user-id': 'victim' },
        })
      ).body,
    ).toMatchObject({
      status: 'queued',
    });
  });

  it('acknowledges (and logs) records that can never succeed instead of retrying them, and pays none of them', async () => {
    const packetId = await createPacket({ totalAmount: 100, count: 1 });
    for (const body of [
      'not json',
      '{"v": 2, "kind": "claim"}',
      JSON.stringify({ v: 1, kind: 'claim', claimId: 'x', packetId: 'pk_nope', userId: 'u', requestedAt: 1 }),
      // A claim nobody made over HTTP, and a payout of a batch that was never recorded, on a real packet.
      JSON.stringify({
        v: 1,
        kind: 'claim',
        claimId: claimIdFor(packetId, 'forger'),
        packetId,
        userId: 'forger',
        requestedAt: 1,
      }),
      JSON.stringify({
        v: 2,
        kind: 'payout',
        batchId: 'forged',
        packetId,
        userId: 'forger',
        amount: 100,
        requestedAt: 1,
      }),
    ]) {
      await api.sqs.send(new SendMessageCommand({ QueueUrl: api.stack.queues.queueUrl, MessageBody: body }));
    }
    await claim(packetId, 'after-garbage');
    await terminal([claimIdFor(packetId, 'after-garbage')]);
    expect(
      await api.eventually(async () =>
        (await api.queueDepth(api.stack.queues.queueUrl)) === 0 ? true : undefined,
      ),
    ).toBe(true);
    expect(await api.queueDepth(api.stack.queues.deadLetterQueueUrl)).toBe(1); // only the poison record of the previous test
    const ledger = await api.packets.listPayouts(packetId);
    expect(ledger.items.map((p) => p.userId)).toEqual(['after-garbage']); // the forger got nothing
    expect(
      (
        await api.request('GET', `/claims/${claimIdFor(packetId, 'forger')}`, {
          headers: { 'x-user-id': 'forger' },
        })
      ).status,
    ).toBe(404);
  });

  it('the offline process SIGKILLed mid-run and restarted: one 202 per share, and every one of them paid', async () => {
    const packetId = await createPacket({ totalAmount: 50_000, count: 40 });
    const users = Array.from({ length: 150 }, (_, i) => `k${i}`);
    const accepted = new Set<string>();
    const turnedAway = new Set<string>(); // 410: the packet was exhausted before this user's first claim
    const answer = (user: string, reply: { status: number; body: Record<string, unknown> } | undefined) => {
      if (reply?.status === 202) accepted.add(String(reply.body.claimId));
      else if (reply?.status === 410) turnedAway.add(user);
    };
    const sending = (async () => {
      for (const u of users) answer(u, await claim(packetId, u).catch(() => undefined));
    })();
    // Kill once a few claims are in (not after a fixed time: a fast machine takes them all in 300 ms).
    await api.eventually(async () => (accepted.size >= 5 ? true : undefined), 30_000);
    await api.stack.killOffline();
    await sending; // requests during the outage fail: those claims were never accepted
    const acceptedBeforeRestart = accepted.size;
    await api.stack.restartOffline();
    for (const u of users) {
      if (!turnedAway.has(u)) answer(u, await claim(packetId, u)); // clients retry; repeats answer the same claim
    }

    const outcomes = await terminal([...accepted]);
    expect(acceptedBeforeRestart).toBeGreaterThan(0); // the kill came mid-run…
    expect(acceptedBeforeRestart).toBeLessThan(users.length); // …and cut some requests off
    expect(accepted.size + turnedAway.size).toBe(users.length); // every user got a final answer
    expect(accepted.size).toBe(40); // one 202 per share, the kill notwithstanding
    expect(outcomes.filter((o) => o.status === 'paid')).toHaveLength(40); // and each of them paid
    const report = await api.packets.reconcile(packetId);
    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({ paidCount: 40, paidAmount: 50_000 });
  }, 120_000);
});
