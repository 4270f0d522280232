/**
 * `npm run demo`: the pipeline end to end. Starts the local stack unless one answers on :3000, creates a
 * packet (100,000.00 in 1,000 shares), sends 5,000 claims from 4,000 users (duplicates included) over
 * HTTP, waits until every claim is paid or rejected, and prints what happened. Exit code 0 only when the
 * invariants hold and every claim answered 202 was paid (the door holds a share for each: grab, then open).
 */
import { Redis } from 'ioredis';
import { progress, table } from '../../bench/report.ts';
import { createRedPackets } from '../../lib/packets/index.ts';
import { createFundedPacket } from '../local/fundedPacket.ts';
import { type LocalStack, startLocalStack } from '../local/startLocalStack.ts';
import { awaitTerminal, isUp, sendClaims } from './claimLoad.ts';

const TOTAL = 10_000_000; // 100,000.00
const SHARES = 1000;
const USERS = 4000;
const CLAIMS = 5000;
const CLIENTS = 50;
const money = (cents: number) =>
  `${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;
const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

let stack: LocalStack | undefined;
let httpUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
if (!(await isUp(httpUrl))) {
  process.stderr.write('starting the local stack (redis-server, fauxqs, serverless offline)…\n');
  stack = await startLocalStack({ httpPort: 0, lambdaPort: 0, sqsPort: 0 }).catch((error: unknown) => {
    console.error(
      `could not start the local stack: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  });
  httpUrl = stack.httpUrl;
}

try {
  const created = await createFundedPacket(httpUrl, { totalAmount: TOTAL, count: SHARES });
  const packet = created.body as { packetId: string };
  if (created.status !== 201)
    throw new Error(`creating the packet answered ${created.status}: ${JSON.stringify(packet)}`);
  // 4,000 distinct users, 1,000 of whom claim twice, in shuffled order.
  const users = Array.from({ length: CLAIMS }, (_, i) => `user-${i < USERS ? i : i - USERS}`);
  for (let i = users.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [users[i], users[j]] = [users[j] as string, users[i] as string];
  }
  console.log(
    `packet ${packet.packetId}: ${money(TOTAL)} in ${SHARES} shares; ${CLAIMS} claims from ${USERS} users, ${CLIENTS} clients`,
  );
  const started = performance.now();
  const sent = await sendClaims(
    httpUrl,
    users.map((userId) => ({ packetId: packet.packetId, userId })),
    CLIENTS,
    (n) => progress(n, CLAIMS, 'claims sent'),
  );
  const states = await awaitTerminal(httpUrl, sent.accepted, {
    concurrency: CLIENTS,
    timeoutMs: 180_000,
    onProgress: (n) => progress(n, sent.accepted.length, 'claims decided'),
  });
  const elapsed = (performance.now() - started) / 1000;
  const all = [...states.values()];
  const paid = all.filter((c) => c.status === 'paid');
  const rejected = all.filter((c) => c.status === 'rejected');
  const byReason = new Map<string, number>();
  for (const c of rejected) byReason.set(c.reason ?? '?', (byReason.get(c.reason ?? '?') ?? 0) + 1);
  const latencies = paid.map((c) => (c.paidAt ?? 0) - (c.requestedAt ?? 0)).sort((a, b) => a - b);
  const paidSum = paid.reduce((s, c) => s + (c.amount ?? 0), 0);
  const undecided = sent.accepted.length - paid.length - rejected.length;
  let reconcile = 'not checked (set REDIS_URL to the stack’s Redis)';
  let reconcileOk = true;
  const redisUrl = stack?.redisUrl ?? process.env.REDIS_URL;
  if (redisUrl) {
    const redis = new Redis(redisUrl);
    const report = await createRedPackets(redis).reconcile(packet.packetId);
    redis.disconnect();
    reconcileOk = report.ok;
    reconcile = report.ok
      ? 'ok (I1 conservation, I2 at most once, I3 nothing stuck)'
      : `FAILED: ${report.discrepancies.map((d) => `${d.check}: ${d.message}`).join('; ')}`;
  }
  console.log(
    `\n${table(
      ['', ''],
      [
        [
          'claims sent',
          `${CLAIMS}: ${sent.accepted.length} distinct claims accepted (202), ${sent.gone} turned away (410: exhausted), ${sent.failed} failed`,
        ],
        ['paid', `${paid.length} payouts, ${money(paidSum)} of ${money(TOTAL)}`],
        [
          'accepted vs paid',
          `${sent.accepted.length} accepted ${sent.accepted.length === paid.length ? '==' : '!='} ${paid.length} paid (a 202 holds a share)`,
        ],
        ['rejected after 202', [...byReason].map(([reason, n]) => `${n} ${reason}`).join(', ') || '0'],
        ['not decided', String(undecided)],
        ['claim → paid latency', `p50 ${pct(latencies, 0.5)} ms, p99 ${pct(latencies, 0.99)} ms`],
        [
          'throughput',
          `${Math.round(CLAIMS / (sent.elapsedMs / 1000))} claims/s accepted; all decided in ${elapsed.toFixed(1)} s (${Math.round(sent.accepted.length / elapsed)}/s)`,
        ],
        ['reconcile', reconcile],
      ],
    )}\n`,
  );
  const ok =
    undecided === 0 &&
    sent.failed === 0 &&
    paid.length === SHARES &&
    paidSum === TOTAL &&
    sent.accepted.length === paid.length &&
    reconcileOk;
  console.log(
    ok
      ? 'invariants hold: the budget was paid exactly, to nobody twice, and every 202 was paid.'
      : 'INVARIANTS BROKEN (see above)',
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await stack?.stop();
}
