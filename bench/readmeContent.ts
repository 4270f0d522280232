import type { Chart } from './charts.ts';
import type { ClaimsCell } from './claimsSuite.ts';
import type { CrashCell } from './crashSuite.ts';
import type { DurabilityCell } from './durabilitySuite.ts';
import type { HandoffCell } from './handoffSuite.ts';
import type { LockCell } from './lockSuite.ts';
import type { MemoryCell } from './memorySuite.ts';
import type { PipelineCell } from './pipelineSuite.ts';
import { clock } from './progress.ts';
import { markdownTable } from './report.ts';
import type { RushCell } from './rushSuite.ts';
import {
  claimsTable,
  crashTable,
  durabilityTable,
  handoffTable,
  headToHeadTable,
  lockTable,
  memoryTable,
  pipelineTable,
  rushTable,
  type TableData,
} from './tables.ts';
import { type TargetVerdict, targetsTable } from './targets.ts';

/** What the README sections are generated from: one run of `npm run bench`. */
export interface BenchRun {
  stamp: string;
  charts: readonly Chart[];
  results: {
    startedAt: string;
    wallSec: number;
    machine: { cpus: number; model?: string | undefined; loadAverageAtEnd: number[] };
    targets: readonly TargetVerdict[];
    lock: readonly LockCell[];
    crash: readonly CrashCell[];
    claims: readonly ClaimsCell[];
    handoff?: readonly HandoffCell[] | undefined;
    pipeline: readonly PipelineCell[];
    rush?: readonly RushCell[] | undefined;
    durability?: readonly DurabilityCell[] | undefined;
    memory?: MemoryCell | undefined;
    batch?: Record<string, unknown> | undefined;
    zookeeperMissing?: string | undefined;
  };
}

const md = (t: TableData) => markdownTable(t.header, t.rows);

/** `![title](prefix<stamp>/<name>.svg)` for the chart called `name`, or nothing. */
function image(run: BenchRun, name: string, prefix: string): string {
  const chart = run.charts.find((c) => c.name === name);
  return chart ? `![${chart.title}](${prefix}${run.stamp}/${chart.name}.svg)\n` : '';
}

function header(run: BenchRun): string {
  const { results } = run;
  return (
    `Latest run: ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, wall time ${clock(results.wallSec)} ` +
    `(\`npm run bench\`, ${results.machine.cpus} cores, load average ${results.machine.loadAverageAtEnd
      .map((l) => l.toFixed(1))
      .join(
        ' / ',
      )} at the end; other work shared the machine). Results: \`bench/results/${run.stamp}.json\`.` +
    (results.zookeeperMissing ? `\n\nZooKeeper rows skipped: ${results.zookeeperMissing}` : '')
  );
}

function batchTable(batch: Record<string, unknown>): TableData {
  const keys = Object.keys(batch).filter((k) => typeof batch[k] !== 'object' && k !== 'file');
  return { header: ['measure', 'value'], rows: keys.map((k) => [k, String(batch[k])]) };
}

/** The generated part of bench/README.md: every table and chart of the run. */
export function benchReadme(run: BenchRun): string {
  const { results } = run;
  const parts = [header(run), '### Targets', md(targetsTable(results.targets))];
  for (const shape of [...new Set(results.lock.map((c) => c.shape))]) {
    const cells = results.lock.filter((c) => c.shape === shape);
    parts.push(
      `### Lock: ${shape}`,
      image(run, `lock-${shape.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, 'results/'),
      md(lockTable(cells)),
    );
  }
  if (results.lock.length)
    parts.push('### Ours vs the libraries (highest in-flight count)', md(headToHeadTable(results.lock)));
  if (results.crash.length)
    parts.push('### Crash recovery', image(run, 'crash-recovery', 'results/'), md(crashTable(results.crash)));
  if (results.claims.length)
    parts.push(
      '### Claims on one hot packet',
      image(run, 'claims', 'results/'),
      md(claimsTable(results.claims)),
    );
  if (results.handoff?.length)
    parts.push('### Hand-over between consumers (Lambda-shaped)', md(handoffTable(results.handoff)));
  if (results.pipeline.length)
    parts.push(
      '### Pipeline over HTTP',
      image(run, 'pipeline', 'results/'),
      md(pipelineTable(results.pipeline)),
    );
  if (results.rush?.length)
    parts.push(
      '### Rush on one hot packet: grab, then open, against the door as it was',
      md(rushTable(results.rush)),
    );
  if (results.durability?.length)
    parts.push('### Durability and sharding', md(durabilityTable(results.durability)));
  if (results.memory) parts.push('### Memory', md(memoryTable(results.memory)));
  if (results.batch)
    parts.push(
      '### Payout batch (queue-driven)',
      image(run, 'batch', 'results/'),
      md(batchTable(results.batch)),
    );
  return parts.filter(Boolean).join('\n\n');
}

/** The generated part of the README's benchmark section: targets, head-to-head, key tables and charts. */
export function summarySection(run: BenchRun): string {
  const { results } = run;
  const top = Math.max(...results.lock.map((c) => c.inFlight));
  const hotTop = results.lock.filter((c) => c.shape === 'one hot resource' && c.inFlight === top);
  const parts = [
    header(run),
    'Full tables (every scenario, 1/16/128 in flight, 100 resources), settings and how to reproduce: [bench/README.md](bench/README.md).',
    '#### Targets',
    md(targetsTable(results.targets)),
    `#### Lock, one hot resource, ${top} in flight`,
    image(run, 'lock-one-hot-resource', 'bench/results/'),
    md(lockTable(hotTop)),
    '#### Ours vs the libraries',
    md(headToHeadTable(results.lock)),
    '#### Crash recovery',
    image(run, 'crash-recovery', 'bench/results/'),
    md(crashTable(results.crash)),
    '#### Claims on one hot packet',
    image(run, 'claims', 'bench/results/'),
    md(claimsTable(results.claims)),
    ...(results.handoff?.length
      ? ['#### Hand-over between consumers (Lambda-shaped)', md(handoffTable(results.handoff))]
      : []),
    '#### Pipeline over HTTP',
    image(run, 'pipeline', 'bench/results/'),
    md(pipelineTable(results.pipeline)),
  ];
  if (results.durability?.length)
    parts.push('#### Durability and sharding', md(durabilityTable(results.durability)));
  if (results.memory) parts.push('#### Memory', md(memoryTable(results.memory)));
  if (results.batch)
    parts.push('#### Payout batch', image(run, 'batch', 'bench/results/'), md(batchTable(results.batch)));
  return parts.filter(Boolean).join('\n\n');
}
