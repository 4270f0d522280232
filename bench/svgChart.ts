/** One panel of a chart: bars grouped along x, one bar per series in each group. */
export interface ChartPanel {
  title: string;
  /** Group labels along the x axis. */
  groups: readonly string[];
  /** One value per group (NaN or undefined: no bar). */
  series: ReadonlyArray<{ name: string; values: ReadonlyArray<number | undefined> }>;
  /** `log` when values span orders of magnitude (a lock-free baseline beside locks). @defaultValue `'linear'` */
  scale?: 'linear' | 'log';
}

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#2f4b7c',
  '#d45087',
];
const WIDTH = 960;
const PANEL_HEIGHT = 250;
const LEFT = 70;
const RIGHT = 20;
const TOP = 30;
const BOTTOM = 40;

/** Escapes text for SVG. */
const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `1234` → `1.2k`, `0.5` → `0.5`: short labels for bars and axes. */
export function shortNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  if (abs >= 10 || abs === 0) return value.toFixed(0);
  return value.toFixed(abs >= 1 ? 1 : 2);
}

/** Axis ticks: 0..max in 4 steps (linear), or powers of ten covering the values (log). */
export function ticks(values: readonly number[], scale: 'linear' | 'log'): number[] {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(1e-9, ...finite);
  if (scale === 'log') {
    const lo = Math.floor(Math.log10(Math.min(max, ...finite)));
    const hi = Math.ceil(Math.log10(max));
    return Array.from({ length: Math.max(1, hi - lo) + 1 }, (_, i) => 10 ** (lo + i));
  }
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  return Array.from({ length: 5 }, (_, i) => i * step);
}

/**
 * A grouped bar chart as a standalone SVG document: a title, a legend shared by the panels, and the
 * panels stacked vertically. Hand-written so the bench needs no charting dependency.
 */
export function renderChart(title: string, panels: readonly ChartPanel[]): string {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const legendRows = Math.ceil(names.length / 4);
  const legendHeight = legendRows * 18 + 10;
  const height = TOP + legendHeight + panels.length * (PANEL_HEIGHT + BOTTOM + TOP);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  names.forEach((name, i) => {
    const x = LEFT + (i % 4) * 215;
    const y = TOP + Math.floor(i / 4) * 18;
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`);
    out.push(`<text x="${x + 16}" y="${y + 10}">${esc(name)}</text>`);
  });
  let top = TOP + legendHeight;
  for (const panel of panels) {
    out.push(...renderPanel(panel, names, top + TOP));
    top += PANEL_HEIGHT + BOTTOM + TOP;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function renderPanel(panel: ChartPanel, names: readonly string[], top: number): string[] {
  const scale = panel.scale ?? 'linear';
  const values = panel.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const axis = ticks(values, scale);
  const lo = axis[0] ?? 0;
  const hi = axis.at(-1) ?? 1;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const y = (v: number) => {
    const f =
      scale === 'log'
        ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)
        : (v - lo) / (hi - lo || 1);
    return top + PANEL_HEIGHT - Math.min(1, Math.max(0, f)) * PANEL_HEIGHT;
  };
  const out = [
    `<text x="${LEFT}" y="${top - 8}" font-size="13" font-weight="bold">${esc(panel.title)}${scale === 'log' ? ' (log scale)' : ''}</text>`,
  ];
  for (const t of axis) {
    out.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${LEFT - 6}" y="${y(t) + 4}" text-anchor="end">${shortNumber(t)}</text>`);
  }
  const groupWidth = plotWidth / Math.max(1, panel.groups.length);
  const barWidth = Math.min(40, (groupWidth * 0.8) / Math.max(1, panel.series.length));
  panel.groups.forEach((group, g) => {
    const start = LEFT + g * groupWidth + (groupWidth - barWidth * panel.series.length) / 2;
    panel.series.forEach((series, s) => {
      const v = series.values[g];
      if (v === undefined || !Number.isFinite(v)) return;
      const x = start + s * barWidth;
      const color = PALETTE[names.indexOf(series.name) % PALETTE.length];
      const barTop = y(v);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(top + PANEL_HEIGHT - barTop).toFixed(1)}" fill="${color}"><title>${esc(`${series.name}, ${group}: ${v.toFixed(2)}`)}</title></rect>`,
      );
      out.push(
        `<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(barTop - 3).toFixed(1)}" text-anchor="middle" font-size="9">${shortNumber(v)}</text>`,
      );
    });
    out.push(
      `<text x="${(LEFT + g * groupWidth + groupWidth / 2).toFixed(1)}" y="${top + PANEL_HEIGHT + 16}" text-anchor="middle">${esc(group)}</text>`,
    );
  });
  out.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${top + PANEL_HEIGHT}" y2="${top + PANEL_HEIGHT}" stroke="#333"/>`,
  );
  return out;
}
