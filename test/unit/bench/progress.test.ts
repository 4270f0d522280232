import { describe, expect, it } from 'vitest';
import { clock, createProgress } from '../../../bench/progress.ts';

describe('createProgress', () => {
  it('writes one line per step with the phase, its count, elapsed time and an ETA', () => {
    const lines: string[] = [];
    const progress = createProgress(
      [
        { name: 'lock', steps: 2, estimateSec: 10 },
        { name: 'claims', steps: 1, estimateSec: 5 },
      ],
      (line) => lines.push(line),
    );
    const lock = progress.phase('lock');
    lock('first');
    lock('second');
    progress.end('lock');
    progress.phase('claims')('third');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[lock 1\/2\] 00:00 elapsed, ETA 00:15 {2}first\n$/);
    expect(lines[2]).toMatch(/^\[claims 1\/1\] \d\d:\d\d elapsed, ETA \d\d:\d\d {2}third\n$/);
  });

  it('refuses an unknown phase', () => {
    expect(() => createProgress([]).phase('nope')).toThrow(/unknown bench phase/);
  });

  it('clock formats seconds as mm:ss', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(83.4)).toBe('01:23');
  });
});
