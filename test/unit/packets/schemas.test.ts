import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/packets/errors.ts';
import { claimIdFor, newPacketId, parseClaimId } from '../../../lib/packets/ids.ts';
import { createPacketSchema, parseOrThrow, payoutItemSchema } from '../../../lib/packets/schemas.ts';

describe('createPacketSchema', () => {
  it('applies defaults', () => {
    expect(parseOrThrow(createPacketSchema, { totalAmount: 100, count: 3 }, 'packet')).toEqual({
      totalAmount: 100,
      count: 3,
      mode: 'random',
      expiresInSeconds: 86_400,
    });
  });

  it.each([
    [{ count: 3 }, 'totalAmount'],
    [{ totalAmount: -5, count: 1 }, 'totalAmount'],
    [{ totalAmount: 10.5, count: 1 }, 'totalAmount'],
    [{ totalAmount: '100', count: 1 }, 'totalAmount'],
    [{ totalAmount: 1e13, count: 1 }, 'totalAmount'],
    [{ totalAmount: 2, count: 3 }, 'totalAmount'],
    [{ totalAmount: 100, count: 0 }, 'count'],
    [{ totalAmount: 100, count: 2, mode: 'fair' }, 'mode'],
    [{ totalAmount: 100, count: 2, expiresInSeconds: 0 }, 'expiresInSeconds'],
    [{ totalAmount: 100, count: 2, extra: true }, ''],
    [null, ''],
  ])('rejects %j (path "%s")', (input, path) => {
    let error: unknown;
    try {
      parseOrThrow(createPacketSchema, input, 'packet');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.map((d) => d.path)).toContain(path);
    expect((error as ValidationError).code).toBe('invalid_input');
  });
});

describe('payoutItemSchema', () => {
  it.each([
    { kind: 'claim' },
    { kind: 'claim', userId: '' },
    { kind: 'claim', userId: 'has space' },
    { kind: 'payout', batchId: 'b', userId: 'u', amount: 0 },
    { kind: 'payout', batchId: 'b{x}', userId: 'u', amount: 5 },
    { kind: 'payout', batchId: 'b/x', userId: 'u', amount: 5 },
    { kind: 'payout', batchId: 'b', itemId: '1', userId: 'u', amount: 5 },
    { kind: 'refund', userId: 'u' },
  ])('rejects %j', (item) => {
    expect(() => parseOrThrow(payoutItemSchema, item, 'item')).toThrow(ValidationError);
  });
});

describe('claim ids', () => {
  it('round-trip (packet, user) and reject anything else', () => {
    const packetId = newPacketId();
    const claimId = claimIdFor(packetId, 'user:42@example');
    expect(parseClaimId(claimId)).toEqual({ packetId, userId: 'user:42@example' });
    expect(claimIdFor(packetId, 'user:42@example')).toBe(claimId);
    for (const bad of ['', 'pk_x', `${packetId}.`, `${packetId}.!!`, `x_${claimId}`])
      expect(parseClaimId(bad)).toBeNull();
  });
});
