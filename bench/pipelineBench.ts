/**
 * `npm run bench:pipeline`: claims over HTTP through the local stack (serverless-offline, fauxqs, Redis),
 * 50 and 200 concurrent clients, on one hot packet and spread over 100 packets. Reports claims accepted
 * per second, claims paid per second (first request to last payout), and claim→paid latency.
 * Knobs: BENCH_CLAIMS (3000), BENCH_CLIENTS (50,200), BENCH_POLLERS (the stack default, 4).
 */
import { awaitTerminal, sendClaims } from '../infra/demo/claimLoad.ts';
import { startLocalStack } from '../infra/local/startLocalStack.ts';
import { percentile, progress, table, writeResults } from './report.ts';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 3000);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '50,200').split(',').map(Number);
const SCENARIOS = [
  { name: 'one hot packet', packets: 1 },
  { name: '100 packets', packets: 100 },
];

const stack = await startLocalStack({
  httpPort: 0,
  lambdaPort: 0,
  sqsPort: 0,
  ...(process.env.BENCH_POLLERS ? { pollers: Number(process.env.BENCH_POLLERS) } : {}),
});
const rows: Array<Record<string, string | number>> = [];
try {
  let run = 0;
  for (const clients of CLIENTS) {
    for (const scenario of SCENARIOS) {
      const label = `${scenario.name}, ${clients} clients`;
      progress(run++, CLIENTS.length * SCENARIOS.length, label);
      const packetIds: string[] = [];
      for (let i = 0; i < scenario.packets; i++) {
        const reply = await fetch(`${stack.httpUrl}/packets`, {
          method: 'POST',
          body: JSON.stringify({ totalAmount: CLAIMS * 1000, count: CLAIMS }),
        });
        packetIds.push(((await reply.json()) as { packetId: string }).packetId);
      }
      const claims = Array.from({ length: CLAIMS }, (_, i) => ({
        packetId: packetIds[i % packetIds.length] as string,
        userId: `bench-${run}-${i}`,
      }));
      const started = performance.now();
      const sent = await sendClaims(stack.httpUrl, claims, clients);
      const states = await awaitTerminal(stack.httpUrl, sent.accepted, {
        concurrency: 50,
        timeoutMs: 300_000,
      });
      const paid = [...states.values()].filter((c) => c.status === 'paid');
      const lastPaid = Math.max(...paid.map((c) => c.paidAt ?? 0));
      const firstRequest = Math.min(...paid.map((c) => c.requestedAt ?? Number.POSITIVE_INFINITY));
      const latencies = paid.map((c) => (c.paidAt ?? 0) - (c.requestedAt ?? 0)).sort((a, b) => a - b);
      rows.push({
        scenario: label,
        accepted: sent.accepted.length,
        failed: sent.failed,
        acceptedPerSec: Math.round(sent.accepted.length / (sent.elapsedMs / 1000)),
        paidPerSec: Math.round(paid.length / Math.max(0.001, (lastPaid - firstRequest) / 1000)),
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        allPaid: paid.length === CLAIMS ? 'yes' : `NO (${paid.length})`,
        wallSec: ((performance.now() - started) / 1000).toFixed(1),
      });
    }
  }
  progress(CLIENTS.length * SCENARIOS.length, CLIENTS.length * SCENARIOS.length, 'done');
} finally {
  await stack.stop();
}

console.log(
  table(
    ['scenario', 'accepted/s', 'paid/s', 'claim→paid p50 ms', 'p99 ms', 'all paid', 'failed'],
    rows.map((r) => [
      r.scenario ?? '',
      r.acceptedPerSec ?? 0,
      r.paidPerSec ?? 0,
      r.p50Ms ?? 0,
      r.p99Ms ?? 0,
      r.allPaid ?? '',
      r.failed ?? 0,
    ]),
  ),
);
writeResults('pipeline', { claims: CLAIMS, rows });
if (rows.some((r) => r.allPaid !== 'yes' || r.failed !== 0)) process.exitCode = 1;
