import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LockFenceError } from '../../../../lib/lock/index.ts';
import { czxidToFence } from '../../../../lib/lock/zookeeper/czxidToFence.ts';

const zxid = (epoch: number, counter: number) => {
  const buffer = Buffer.alloc(8);
  buffer.writeUInt32BE(epoch, 0);
  buffer.writeUInt32BE(counter, 4);
  return buffer;
};

describe('czxidToFence', () => {
  it('reads epoch << 32 | counter exactly, and keeps the order of zxids', () => {
    expect(czxidToFence('p', zxid(0, 8))).toBe(8);
    expect(czxidToFence('p', zxid(3, 5))).toBe(3 * 2 ** 32 + 5);
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 0, max: 2 ** 21 - 1 }), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
        fc.tuple(fc.integer({ min: 0, max: 2 ** 21 - 1 }), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
        ([e1, c1], [e2, c2]) => {
          const a = czxidToFence('p', zxid(e1, c1));
          const b = czxidToFence('p', zxid(e2, c2));
          expect(Math.sign(a - b)).toBe(Math.sign(e1 - e2 || c1 - c2));
        },
      ),
    );
  });

  it('refuses zxids that are not safe integers (epoch >= 2^21) or not 8 bytes, rather than round', () => {
    expect(czxidToFence('p', zxid(2 ** 21 - 1, 2 ** 32 - 1))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => czxidToFence('p', zxid(2 ** 21, 0))).toThrow(LockFenceError);
    expect(() => czxidToFence('p', zxid(0, 0))).toThrow(LockFenceError);
    expect(() => czxidToFence('p', Buffer.alloc(4))).toThrow(LockFenceError);
    const error = (() => {
      try {
        czxidToFence('p', zxid(2 ** 21, 1));
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toMatchObject({ retryable: false, resource: 'p', fence: '9007199254740993' });
  });
});
