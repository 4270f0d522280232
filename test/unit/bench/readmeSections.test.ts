import { describe, expect, it } from 'vitest';
import { replaceBetweenMarkers } from '../../../bench/readmeSections.ts';

describe('replaceBetweenMarkers', () => {
  it('replaces only what lies between the markers', () => {
    const text = 'before\n<!-- x:start -->\nold\n<!-- x:end -->\nafter';
    expect(replaceBetweenMarkers(text, 'x', 'new')).toBe(
      'before\n<!-- x:start -->\nnew\n<!-- x:end -->\nafter',
    );
  });

  it('throws when the markers are missing', () => {
    expect(() => replaceBetweenMarkers('no markers', 'x', 'new')).toThrow(/not found/);
  });
});
