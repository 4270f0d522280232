import { describe, expect, it } from 'vitest';
import { combineRepeatedHeaders } from '../../../infra/offline/combineRepeatedHeaders.ts';
import { escapeUndecodablePath } from '../../../infra/offline/escapeUndecodablePath.ts';

describe('combineRepeatedHeaders', () => {
  it('joins repeated headers with commas where the first one was, in any letter case, as API Gateway does', () => {
    expect(
      combineRepeatedHeaders([
        'Host',
        'h',
        'x-user-id',
        'alice',
        'Accept',
        '*/*',
        'X-User-Id',
        'bob',
        'x-user-id',
        'c',
      ]),
    ).toEqual(['Host', 'h', 'x-user-id', 'alice,bob,c', 'Accept', '*/*']);
  });

  it('leaves single headers and cookies alone', () => {
    const raw = ['x-user-id', 'alice', 'cookie', 'a=1', 'Cookie', 'b=2'];
    expect(combineRepeatedHeaders(raw)).toEqual(raw);
    expect(combineRepeatedHeaders([])).toEqual([]);
  });
});

describe('escapeUndecodablePath', () => {
  it('escapes every % of a path that does not percent-decode, and leaves the rest alone', () => {
    expect(escapeUndecodablePath('/packets/%zz')).toBe('/packets/%25zz');
    expect(escapeUndecodablePath('/claims/%E0%A4%A?limit=1')).toBe('/claims/%25E0%25A4%25A?limit=1');
    expect(escapeUndecodablePath('/admin/balances/op%3Acli')).toBe('/admin/balances/op%3Acli');
    expect(escapeUndecodablePath('/packets/pk_x/payouts?cursor=%zz')).toBe(
      '/packets/pk_x/payouts?cursor=%zz',
    );
  });
});
