import { describe, expect, it } from 'vitest';
import { ECHOED_ID_CHARS, echoId } from '../../../lib/packets/echoId.ts';
import { PacketNotFoundError } from '../../../lib/packets/errors.ts';

describe('echoId', () => {
  it('keeps an id of up to 64 characters, and cuts a longer one to its first 64 and "…"', () => {
    const long = 'x'.repeat(10_000);
    expect(echoId('pk_abc')).toBe('pk_abc');
    expect(echoId('y'.repeat(ECHOED_ID_CHARS))).toBe('y'.repeat(ECHOED_ID_CHARS));
    expect(echoId(`${'y'.repeat(ECHOED_ID_CHARS)}z`)).toBe(`${'y'.repeat(ECHOED_ID_CHARS)}…`);
    expect(echoId(long)).toBe(`${'x'.repeat(64)}…`);
    expect(echoId('')).toBe('');
  });

  it('counts code points, so it never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(100); // 200 UTF-16 units
    expect(echoId(emoji)).toBe(`${'😀'.repeat(64)}…`);
    expect(echoId('😀'.repeat(64))).toBe('😀'.repeat(64));
  });

  it('is what the domain errors echo', () => {
    const message = new PacketNotFoundError(`pk_${'a'.repeat(9_997)}`).message;
    expect(message).toBe(`no packet "pk_${'a'.repeat(61)}…"`);
  });
});
