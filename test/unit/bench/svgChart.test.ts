import { describe, expect, it } from 'vitest';
import { renderChart, shortNumber, ticks } from '../../../bench/svgChart.ts';

describe('svgChart', () => {
  it('short labels', () => {
    expect(shortNumber(1234)).toBe('1.2k');
    expect(shortNumber(56_789)).toBe('57k');
    expect(shortNumber(0.25)).toBe('0.25');
    expect(shortNumber(42)).toBe('42');
  });

  it('linear ticks start at 0 and cover the largest value; log ticks are powers of ten', () => {
    const linear = ticks([3, 17, 9], 'linear');
    expect(linear[0]).toBe(0);
    expect(linear.at(-1)).toBeGreaterThanOrEqual(17);
    expect(ticks([0.5, 70_000], 'log')).toEqual([0.1, 1, 10, 100, 1000, 10_000, 100_000]);
  });

  it('renders one bar per finite value, with the series in the legend and escaped text', () => {
    const svg = renderChart('A & B', [
      {
        title: 'ops/s',
        groups: ['1 in flight', '128 in flight'],
        series: [
          { name: 'getset', values: [10, 20] },
          { name: '<lib>', values: [5, undefined] },
        ],
      },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('&lt;lib&gt;');
    expect(svg.match(/<title>/g)).toHaveLength(3);
  });
});
