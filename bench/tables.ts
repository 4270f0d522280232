import type { ClaimsCell } from './claimsSuite.ts';
import { CONTENDERS } from './contenders/index.ts';
import type { CrashCell } from './crashSuite.ts';
import type { DurabilityCell } from './durabilitySuite.ts';
import type { HandoffCell } from './handoffSuite.ts';
import type { LockCell } from './lockSuite.ts';
import type { MemoryCell } from './memorySuite.ts';
import type { PipelineCell } from './pipelineSuite.ts';
import { median } from './report.ts';
import type { RushCell } from './rushSuite.ts';

/** A table's header and rows, printed as plain text (table) or Markdown (markdownTable). */
export interface TableData {
  header: string[];
  rows: Array<Array<string | number>>;
}

const fixed = (value: number, digits: number) => value.toFixed(digits);

/** One row per contender and cell: medians over the runs, ratio to the lock-free baseline. */
export function lockTable(cells: readonly LockCell[]): TableData {
  return {
    header: [
      'scenario',
      'in flight',
      'contender',
      'ops/s',
      '× lock-free',
      'wait p50 ms',
      'wait p99 ms',
      'wait max ms',
      'cmds/op (server)',
      'sent/op',
      'fairness',
      'failures',
      'counter',
    ],
    rows: cells.map((c) => [
      c.shape,
      c.inFlight,
      c.contender,
      Math.round(c.median.opsPerSec),
      fixed(c.median.ratioToLockFree, 3),
      fixed(c.median.waitP50Ms, 2),
      fixed(c.median.waitP99Ms, 1),
      fixed(c.median.waitMaxMs, 1),
      fixed(c.median.commandsPerOp, 1),
      fixed(c.median.clientCommandsPerOp, 1),
      fixed(c.median.fairness, 2),
      c.median.failures,
      c.median.counterOk ? 'exact' : 'LOST UPDATES',
    ]),
  };
}

/**
 * Ours against each library at the highest in-flight count: ops/s ratios (median of the per-repeat ratios,
 * each taken between runs of the same round) and p99 acquire waits.
 */
export function headToHeadTable(cells: readonly LockCell[]): TableData {
  const ours = CONTENDERS.filter((c) => c.group === 'ours').map((c) => c.name);
  const libraries = CONTENDERS.filter((c) => c.group === 'library').map((c) => c.name);
  const top = Math.max(...cells.map((c) => c.inFlight));
  const shapes = [...new Set(cells.map((c) => c.shape))];
  const find = (shape: string, contender: string) =>
    cells.find((c) => c.shape === shape && c.inFlight === top && c.contender === contender);
  const rows: TableData['rows'] = [];
  for (const shape of shapes) {
    for (const name of ours) {
      const mine = find(shape, name);
      if (!mine) continue;
      const theirs = libraries.map((l) => find(shape, l)).filter((c): c is LockCell => c !== undefined);
      if (theirs.length === 0) continue;
      const bestP99 = Math.min(...theirs.map((c) => c.median.waitP99Ms));
      rows.push([
        `${shape}, ${top} in flight`,
        name,
        ...theirs.map((t) => `${fixed(opsRatio(mine, t), 2)}×`),
        fixed(mine.median.waitP99Ms, 1),
        fixed(bestP99, 1),
      ]);
    }
  }
  const present = libraries.filter((l) => cells.some((c) => c.contender === l));
  return {
    header: ['scenario', 'ours', ...present.map((l) => `ops/s vs ${l}`), 'our p99 ms', 'best library p99 ms'],
    rows,
  };
}

/** Median over repeats of `a`'s ops/s over `b`'s in the same repeat. */
export function opsRatio(a: LockCell, b: LockCell): number {
  return median(a.runs.map((run, i) => run.opsPerSec / Math.max(1, b.runs[i]?.opsPerSec ?? 0)));
}

/** The Lambda-shaped hand-over scenario: medians per mode, process count and group size. */
export function handoffTable(cells: readonly HandoffCell[]): TableData {
  return {
    header: [
      'path',
      'processes',
      'group',
      'claims/s',
      '× lock-free',
      'hand-over p50 ms',
      'hand-over p99 ms',
      'to another process',
      'cmds/claim',
      'PING ms',
      'retries',
    ],
    rows: cells.map((c) => {
      const locked = c.mode === 'locked';
      return [
        c.mode,
        c.processes,
        c.groupSize,
        Math.round(c.median.claimsPerSec),
        fixed(c.median.ratio, 2),
        locked ? fixed(c.median.gapP50Ms, 2) : '-',
        locked ? fixed(c.median.gapP99Ms, 1) : '-',
        locked ? `${Math.round(c.median.crossShare * 100)}%` : '-',
        fixed(c.median.commandsPerClaim, 2),
        fixed(c.median.rttMs, 3),
        c.median.retries,
      ];
    }),
  };
}

/** Crash recovery per contender and TTL: median and max over the kills, against the promised bound. */
export function crashTable(cells: readonly CrashCell[]): TableData {
  return {
    header: [
      'contender',
      'TTL ms',
      'kill→acquired p50 ms',
      'max ms',
      'acquired→acquired p50 ms',
      'bound ms',
      'within',
      'give-ups',
    ],
    rows: cells.map((c) => [
      c.contender,
      c.ttlMs,
      Math.round(c.medianMs),
      Math.round(c.maxMs),
      Math.round(median(c.blockedMs)),
      c.boundMs ?? '-',
      c.withinBound === undefined ? '-' : c.withinBound ? 'yes' : 'NO',
      c.giveUps,
    ]),
  };
}

/** Claims per scenario and concurrency: medians, ratio to the lock-free baseline, reconcile verdict. */
export function claimsTable(cells: readonly ClaimsCell[]): TableData {
  return {
    header: [
      'scenario',
      'in flight',
      'claims/s',
      '× lock-free',
      'call p50 ms',
      'call p99 ms',
      'cmds/claim',
      'retries',
      'reconcile',
    ],
    rows: cells.map((c) => [
      c.scenario,
      c.inFlight,
      Math.round(c.median.claimsPerSec),
      fixed(c.median.ratio, 2),
      fixed(c.median.latencyP50Ms, 2),
      fixed(c.median.latencyP99Ms, 1),
      fixed(c.median.commandsPerClaim, 1),
      c.median.retries,
      c.median.reconciled ? 'ok' : 'FAILED',
    ]),
  };
}

/** Pipeline scenarios: medians of accepted/s, paid/s and claim→paid latency; hot over spread paid/s. */
export function pipelineTable(cells: readonly PipelineCell[]): TableData {
  return {
    header: [
      'scenario',
      'clients',
      'accepted/s',
      'paid/s',
      '× 100 packets',
      'claim→paid p50 ms',
      'p99 ms',
      'all paid',
    ],
    rows: cells.map((c) => [
      c.scenario,
      c.clients,
      Math.round(c.median.acceptedPerSec),
      Math.round(c.median.paidPerSec),
      fixed(c.median.ratioToSpread, 2),
      Math.round(c.median.p50Ms),
      Math.round(c.median.p99Ms),
      c.median.allPaid ? 'yes' : 'NO',
    ]),
  };
}

/**
 * The rush: the reserving door against the door as it was, one hot packet over HTTP; medians over the
 * rounds, ratios to the old door round by round.
 */
export function rushTable(cells: readonly RushCell[]): TableData {
  return {
    header: [
      'door',
      'answered/s',
      '×',
      '202',
      '410',
      'rejected after 202',
      'all paid s',
      '×',
      'messages',
      'invocations',
      '×',
      'ok',
    ],
    rows: cells.map((c) => [
      c.door,
      Math.round(c.median.answeredPerSec),
      `${fixed(c.answeredRatio, 2)}×`,
      c.median.accepted,
      c.median.turnedAway,
      c.median.rejectedAfter202,
      fixed(c.median.allPaidMs / 1000, 1),
      `${fixed(c.allPaidRatio, 2)}×`,
      c.median.messages,
      c.median.invocations,
      `${fixed(c.invocationsRatio, 2)}×`,
      c.median.ok ? 'yes' : 'NO',
    ]),
  };
}

/** Durability and sharding: the same load on each store; claims/s relative to one node with AOF everysec. */
export function durabilityTable(cells: readonly DurabilityCell[]): TableData {
  return {
    header: [
      'store',
      'claims/s',
      '× first row',
      'door p50 ms',
      'door p99 ms',
      'group p99 ms',
      'cmds/claim',
      'Redis CPU µs/claim',
      'busiest shard',
      'reconcile',
    ],
    rows: cells.map((c) => [
      c.scenario,
      Math.round(c.claimsPerSec),
      fixed(c.ratio, 2),
      fixed(c.doorP50Ms, 2),
      fixed(c.doorP99Ms, 1),
      fixed(c.consumerP99Ms, 1),
      fixed(c.commandsPerClaim, 1),
      Math.round(c.redisCpuMsPerClaim * 1000),
      `${Math.round(c.busiestShardShare * 100)}%`,
      c.reconciled ? 'ok' : 'FAILED',
    ]),
  };
}

/** Memory: bytes per paid claim and batch item, and 10 million claims. */
export function memoryTable(cell: MemoryCell): TableData {
  return {
    header: ['measured over', 'bytes per claim', 'bytes per batch payout', '10 million claims'],
    rows: [
      [
        `${cell.items} of each`,
        Math.round(cell.bytesPerClaim),
        Math.round(cell.bytesPerPayout),
        `${cell.tenMillionClaimsGiB.toFixed(1)} GiB`,
      ],
    ],
  };
}
