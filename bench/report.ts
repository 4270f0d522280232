import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Value at quantile `q` (0..1) of an ascending array; 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** A plain-text table with right-aligned numbers. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [
    line(cells[0] ?? []),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

const printed = new Set<string>();

/**
 * A one-line progress bar on stderr, redrawn in place on a terminal; elsewhere (CI logs) only the first
 * and the final line of each label, not one per tick.
 */
export function progress(done: number, total: number, label: string): void {
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${bar}${done === total ? '\n' : ''}`);
    return;
  }
  const line = `${label}|${done === total}`;
  if (printed.has(line)) return;
  printed.add(line);
  process.stderr.write(`${bar}\n`);
}

/** Writes `data` to `bench/results/<name>-<timestamp>.json` and says where. */
export function writeResults(name: string, data: unknown): void {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`\nwritten ${file}`);
}

/** Median of `values` (any order); 0 when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A GitHub-flavoured Markdown table; columns of numbers (or ratios such as `1.25×`) are right-aligned. */
export function markdownTable(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  const numeric = (i: number) =>
    rows.length > 0 && rows.every((row) => /^(-?[\d.]+×?|-)$/.test(String(row[i] ?? '')));
  return [line(header), line(header.map((_, i) => (numeric(i) ? '--:' : ':--'))), ...rows.map(line)].join(
    '\n',
  );
}

/** Jain's fairness index of `shares`: (Σx)² / (n·Σx²), 1 for equal shares, 1/n for one taker; 1 when empty. */
export function jainIndex(shares: readonly number[]): number {
  const sum = shares.reduce((a, b) => a + b, 0);
  const squares = shares.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (shares.length * squares);
}
