import { describe, expect, it } from 'vitest';
import { LockOptionsError } from '../../../lib/lock/index.ts';
import { assertResource, resolveLockOptions } from '../../../lib/lock/lockOptions.ts';

describe('resolveLockOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveLockOptions()).toMatchObject({
      strategy: 'getset',
      ttlMs: 5000,
      driftMs: 100,
      clock: 'local',
      minDelayMs: 1,
      maxDelayMs: 32,
      waitMs: 10_000,
      keyPrefix: 'rp:',
    });
  });

  it('keeps valid values and ignores undefined ones', () => {
    const options = resolveLockOptions({ strategy: 'set-nx-px', ttlMs: 2, driftMs: 0, waitMs: undefined });
    expect(options).toMatchObject({ strategy: 'set-nx-px', ttlMs: 2, driftMs: 0, waitMs: 10_000 });
  });

  it.each([
    [{ strategy: 'redlock' }, 'strategy'],
    [{ clock: 'ntp' }, 'clock'],
    [{ ttlMs: 0 }, 'ttlMs'],
    [{ ttlMs: 1.5 }, 'ttlMs'],
    [{ ttlMs: '5000' }, 'ttlMs'],
    [{ ttlMs: Number.NaN }, 'ttlMs'],
    [{ driftMs: -1 }, 'driftMs'],
    [{ minDelayMs: 0 }, 'minDelayMs'],
    [{ minDelayMs: 10, maxDelayMs: 5 }, 'maxDelayMs'],
    [{ waitMs: -5 }, 'waitMs'],
    [{ keyPrefix: 'a{b}' }, 'keyPrefix'],
    [{ keyPrefix: 'x'.repeat(65) }, 'keyPrefix'],
    [{ now: 5 }, 'now'],
    [{ ttl: 5000 }, 'ttl'], // a typo is an error, not a silent default
  ])('rejects %j naming %s', (bad, option) => {
    const error = (() => {
      try {
        resolveLockOptions(bad as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LockOptionsError);
    expect(error).toMatchObject({ option, retryable: false });
  });
});

describe('assertResource', () => {
  it.each(['', 'a{b', 'a b', 'x'.repeat(201), 42])('rejects %j', (resource) => {
    expect(() => assertResource(resource)).toThrow(LockOptionsError);
  });

  it('accepts ids that fit in a hash tag', () => {
    expect(() => assertResource('pkt_01HZX9:abc-def')).not.toThrow();
  });
});
