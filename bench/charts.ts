import type { ClaimsCell } from './claimsSuite.ts';
import type { CrashCell } from './crashSuite.ts';
import type { LockCell } from './lockSuite.ts';
import type { PipelineCell } from './pipelineSuite.ts';
import { renderChart } from './svgChart.ts';

/** A chart file: its name (without `.svg`) and the document. */
export interface Chart {
  name: string;
  title: string;
  svg: string;
}

const unique = <T>(values: readonly T[]) => [...new Set(values)];
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** One chart per lock shape: median ops/s and median p99 acquire wait, grouped by in-flight count. */
export function lockCharts(cells: readonly LockCell[]): Chart[] {
  return unique(cells.map((c) => c.shape)).map((shape) => {
    const mine = cells.filter((c) => c.shape === shape);
    const inFlight = unique(mine.map((c) => c.inFlight));
    const contenders = unique(mine.map((c) => c.contender));
    const pick = (name: string, n: number) => mine.find((c) => c.contender === name && c.inFlight === n);
    const groups = inFlight.map((n) => `${n} in flight`);
    const title = `Lock, ${shape}: medians of repeated runs, 2 processes`;
    return {
      name: `lock-${slug(shape)}`,
      title,
      svg: renderChart(title, [
        {
          title: 'locked increments per second',
          groups,
          scale: 'log',
          series: contenders.map((name) => ({
            name,
            values: inFlight.map((n) => pick(name, n)?.median.opsPerSec),
          })),
        },
        {
          title: 'acquire wait p99, ms',
          groups,
          scale: 'log',
          series: contenders
            .filter((name) => name !== 'lock-free')
            .map((name) => ({ name, values: inFlight.map((n) => pick(name, n)?.median.waitP99Ms) })),
        },
      ]),
    };
  });
}

/** Crash recovery: median time from SIGKILL to the next acquisition, grouped by TTL. */
export function crashChart(cells: readonly CrashCell[]): Chart {
  const ttls = unique(cells.map((c) => c.ttlMs));
  const title = 'Crash recovery: holder SIGKILL → next acquisition (median)';
  return {
    name: 'crash-recovery',
    title,
    svg: renderChart(title, [
      {
        title: 'ms from SIGKILL to acquisition',
        groups: ttls.map((t) => `TTL ${t} ms`),
        series: unique(cells.map((c) => c.contender)).map((name) => ({
          name,
          values: ttls.map((t) => cells.find((c) => c.contender === name && c.ttlMs === t)?.medianMs),
        })),
      },
    ]),
  };
}

/** Claims on one hot packet: median claims/s and call p99, grouped by in-flight count. */
export function claimsChart(cells: readonly ClaimsCell[]): Chart {
  const inFlight = unique(cells.map((c) => c.inFlight));
  const scenarios = unique(cells.map((c) => c.scenario));
  const pick = (s: string, n: number) => cells.find((c) => c.scenario === s && c.inFlight === n);
  const groups = inFlight.map((n) => `${n} in flight`);
  const title = 'Claims on one hot packet: processItems vs the lock-free script';
  return {
    name: 'claims',
    title,
    svg: renderChart(title, [
      {
        title: 'claims decided per second',
        groups,
        series: scenarios.map((s) => ({
          name: s,
          values: inFlight.map((n) => pick(s, n)?.median.claimsPerSec),
        })),
      },
      {
        title: 'call p99, ms',
        groups,
        series: scenarios.map((s) => ({
          name: s,
          values: inFlight.map((n) => pick(s, n)?.median.latencyP99Ms),
        })),
      },
    ]),
  };
}

/** Pipeline over HTTP: median accepted/s and paid/s per scenario, grouped by client count. */
export function pipelineChart(cells: readonly PipelineCell[]): Chart {
  const clients = unique(cells.map((c) => c.clients));
  const scenarios = unique(cells.map((c) => c.scenario));
  const pick = (s: string, n: number) => cells.find((c) => c.scenario === s && c.clients === n);
  const groups = clients.map((n) => `${n} clients`);
  const title = 'Pipeline: claims over HTTP → SQS → consumers (local stack)';
  return {
    name: 'pipeline',
    title,
    svg: renderChart(title, [
      {
        title: 'claims per second',
        groups,
        series: scenarios.flatMap((s) => [
          { name: `${s}: accepted`, values: clients.map((n) => pick(s, n)?.median.acceptedPerSec) },
          { name: `${s}: paid`, values: clients.map((n) => pick(s, n)?.median.paidPerSec) },
        ]),
      },
      {
        title: 'claim → paid p50, ms',
        groups,
        series: scenarios.map((s) => ({
          name: `${s}: paid`,
          values: clients.map((n) => pick(s, n)?.median.p50Ms),
        })),
      },
    ]),
  };
}

/** The payout batch (medians of its rounds): rows sent and paid per second beside the SQS ceiling. */
export function batchChart(batch: Record<string, unknown>): Chart {
  const num = (key: string) => (typeof batch[key] === 'number' ? (batch[key] as number) : undefined);
  const title = `Payout batch of ${num('items') ?? '?'} rows through the local stack`;
  return {
    name: 'batch',
    title,
    svg: renderChart(title, [
      {
        title: 'rows per second',
        groups: ['sent', 'paid / received'],
        series: [
          { name: 'payout batch', values: [num('sentPerSec'), num('paidPerSec')] },
          { name: 'SQS ceiling (no work)', values: [num('ceilingSentPerSec'), num('ceilingReceivedPerSec')] },
        ],
      },
    ]),
  };
}
