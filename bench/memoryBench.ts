/**
 * `npm run bench:memory`: Redis bytes per paid claim and per paid batch item (records, ledger, payees,
 * packets' and batches' share), and what 10 million claims need. Knob: BENCH_MEMORY_ITEMS (20000).
 */
import { runMemorySuite } from './memorySuite.ts';
import { table, writeResults } from './report.ts';
import { memoryTable } from './tables.ts';

export const memoryOptionsFromEnv = () => ({ items: Number(process.env.BENCH_MEMORY_ITEMS ?? 20_000) });

if (import.meta.main) {
  const cell = await runMemorySuite(memoryOptionsFromEnv());
  const t = memoryTable(cell);
  console.log(table(t.header, t.rows));
  writeResults('memory', cell);
}
