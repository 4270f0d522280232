import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../../lib/cli/progressBar.ts';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (chunk: string) => chunks.push(chunk) };
}

describe('createProgressBar', () => {
  it('in a log, writes a plain line at most every 2 s and always the final state', () => {
    let now = 0;
    const out = stream(false);
    const bar = createProgressBar(out, 'sending', 1000, { now: () => now });
    bar.update(100);
    now = 1000;
    bar.update(200); // within 2 s of the last line: skipped
    now = 2500;
    bar.update(500);
    now = 4000;
    bar.finish(1000);
    expect(out.chunks).toEqual([
      'sending [###---------------------------] 10% 100/1000 100.0k/s\n',
      'sending [###############---------------] 50% 500/1000 200/s\n',
      'sending [##############################] 100% 1000/1000 250/s\n',
    ]);
  });

  it('in a log, does not repeat the last line when finishing at the same count', () => {
    const out = stream(false);
    const bar = createProgressBar(out, 'sending', 5, { now: () => 0 });
    bar.update(5);
    bar.finish(5);
    expect(out.chunks).toHaveLength(1);
  });

  it('on a TTY, redraws one line in place and ends it when finished', () => {
    let now = 0;
    const out = stream(true);
    const bar = createProgressBar(out, 'paying', 4, { now: () => now });
    bar.update(1);
    now = 2000;
    bar.update(2);
    bar.finish();
    expect(out.chunks.every((c) => c.startsWith('\r'))).toBe(true);
    expect(out.chunks).toHaveLength(3); // a TTY line is always redrawn at the end, to end the line
    expect(out.chunks.at(-1)).toBe('\rpaying [###############---------------] 50% 2/4 1/s\n');
  });
});
