import { describe, expect, it } from 'vitest';
import { jainIndex, markdownTable, median, percentile } from '../../../bench/report.ts';

describe('bench statistics', () => {
  it('median of odd and even counts, in any order; 0 when empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('percentile of a sorted array', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.5)).toBe(51);
    expect(percentile(values, 0.99)).toBe(100);
    expect(percentile([], 0.99)).toBe(0);
  });

  it("Jain's index: 1 for equal shares, 1/n when one loop takes everything", () => {
    expect(jainIndex([5, 5, 5, 5])).toBe(1);
    expect(jainIndex([8, 0, 0, 0])).toBe(0.25);
    expect(jainIndex([])).toBe(1);
  });

  it('markdownTable right-aligns the columns of numbers', () => {
    expect(markdownTable(['a', 'b', 'c'], [['x', 1, '1.5×']])).toBe(
      '| a | b | c |\n| :-- | --: | --: |\n| x | 1 | 1.5× |',
    );
  });
});
