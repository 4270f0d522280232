import { awaitTerminal, sendClaims } from '../infra/demo/claimLoad.ts';
import { createFundedPacket } from '../infra/local/fundedPacket.ts';
import type { LocalStack } from '../infra/local/startLocalStack.ts';
import type { StepReporter } from './progress.ts';
import { median, percentile } from './report.ts';

/** Where the claims go: one hot packet, or spread over 100 packets (the baseline of the hot rows). */
export const PIPELINE_SCENARIOS = [
  { name: 'one hot packet', packets: 1 },
  { name: '100 packets', packets: 100 },
] as const;

/** Options of {@link runPipelineSuite}. */
export interface PipelineSuiteOptions {
  /** The local stack (serverless-offline, fauxqs, Redis), already started. */
  stack: LocalStack;
  /** Claims per run. */
  claims: number;
  /** Concurrent HTTP clients, one set of scenarios each. */
  clients: readonly number[];
  repeats: number;
  step?: StepReporter;
}

/** What one run measured. */
export interface PipelineRun {
  acceptedPerSec: number;
  /** Claims paid per second, first request to last payout. */
  paidPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Every claim was paid and no request failed. */
  allPaid: boolean;
  /** paid/s over the 100-packet scenario's paid/s in the same round (1 for that scenario itself). */
  ratioToSpread: number;
}

/** One scenario at one client count: every run and the medians. */
export interface PipelineCell {
  scenario: string;
  clients: number;
  runs: PipelineRun[];
  median: PipelineRun;
}

export const pipelineSuiteSteps = (options: Pick<PipelineSuiteOptions, 'clients' | 'repeats'>) =>
  options.clients.length * options.repeats * PIPELINE_SCENARIOS.length;

/**
 * Claims over HTTP through the local stack, queue-driven consumers paying them: per client count,
 * `repeats` rounds of every scenario. Reports accepted/s, paid/s and claim→paid latency.
 */
export async function runPipelineSuite(options: PipelineSuiteOptions): Promise<PipelineCell[]> {
  const cells: PipelineCell[] = [];
  let run = 0;
  for (const clients of options.clients) {
    const runs = PIPELINE_SCENARIOS.map(() => [] as Array<Omit<PipelineRun, 'ratioToSpread'>>);
    for (let rep = 0; rep < options.repeats; rep++) {
      for (const [i, scenario] of PIPELINE_SCENARIOS.entries()) {
        options.step?.(`${scenario.name}, ${clients} clients (run ${rep + 1}/${options.repeats})`);
        runs[i]?.push(await measure(options, scenario.packets, clients, run++));
      }
    }
    const spread = runs[PIPELINE_SCENARIOS.length - 1] ?? [];
    PIPELINE_SCENARIOS.forEach((scenario, i) => {
      const measured = (runs[i] ?? []).map((r, rep) => ({
        ...r,
        ratioToSpread: r.paidPerSec / Math.max(1, spread[rep]?.paidPerSec ?? 0),
      }));
      const m = (pick: (r: PipelineRun) => number) => median(measured.map(pick));
      cells.push({
        scenario: scenario.name,
        clients,
        runs: measured,
        median: {
          acceptedPerSec: m((r) => r.acceptedPerSec),
          paidPerSec: m((r) => r.paidPerSec),
          p50Ms: m((r) => r.p50Ms),
          p99Ms: m((r) => r.p99Ms),
          allPaid: measured.every((r) => r.allPaid),
          ratioToSpread: m((r) => r.ratioToSpread),
        },
      });
    });
  }
  return cells;
}

async function measure(
  options: PipelineSuiteOptions,
  packets: number,
  clients: number,
  run: number,
): Promise<Omit<PipelineRun, 'ratioToSpread'>> {
  const { stack, claims: count } = options;
  const packetIds: string[] = [];
  for (let i = 0; i < packets; i++) {
    const reply = await createFundedPacket(stack.httpUrl, { totalAmount: count * 1000, count });
    packetIds.push((reply.body as { packetId: string }).packetId);
  }
  const claims = Array.from({ length: count }, (_, i) => ({
    packetId: packetIds[i % packetIds.length] as string,
    userId: `bench-${run}-${i}`,
  }));
  const sent = await sendClaims(stack.httpUrl, claims, clients);
  const states = await awaitTerminal(stack.httpUrl, sent.accepted, { concurrency: 50, timeoutMs: 300_000 });
  const paid = [...states.values()].filter((c) => c.status === 'paid');
  const lastPaid = Math.max(...paid.map((c) => c.paidAt ?? 0));
  const firstRequest = Math.min(...paid.map((c) => c.requestedAt ?? Number.POSITIVE_INFINITY));
  const latencies = paid.map((c) => (c.paidAt ?? 0) - (c.requestedAt ?? 0)).sort((a, b) => a - b);
  return {
    acceptedPerSec: sent.accepted.length / (sent.elapsedMs / 1000),
    paidPerSec: paid.length / Math.max(0.001, (lastPaid - firstRequest) / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    allPaid: paid.length === count && sent.failed === 0,
  };
}
