import { describe, expect, it } from 'vitest';
import {
  AbortError,
  isRetryableError,
  LockFenceError,
  LockLostError,
  LockOptionsError,
  LockTimeoutError,
  LockUnavailableError,
  LockValueError,
} from '../../../lib/lock/index.ts';

describe('lock errors', () => {
  it('carry a name, the resource and whether a retry can help', () => {
    const cause = new Error('socket closed');
    const lost = new LockLostError('p1', 7, 'expired', cause);
    expect(lost).toMatchObject({
      name: 'LockLostError',
      resource: 'p1',
      fence: 7,
      reason: 'expired',
      retryable: true,
    });
    expect(lost.cause).toBe(cause);
    expect(new LockTimeoutError('p1', 250, 9)).toMatchObject({
      name: 'LockTimeoutError',
      waitedMs: 250,
      attempts: 9,
    });
    expect(new AbortError('p1')).toMatchObject({ name: 'AbortError', retryable: false });
    expect(new LockValueError('p1', 'rp:{p1}:lock')).toMatchObject({ retryable: false, key: 'rp:{p1}:lock' });
  });

  it.each([
    [new LockTimeoutError('p', 1, 1), true],
    [new LockLostError('p', 1, 'not-held'), true],
    [new LockOptionsError('ttlMs', 'bad'), false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' }), true],
    [new Error('Connection is closed.'), true],
    [new Error('Command aborted due to connection close'), true],
    [new Error('ASK 3999 127.0.0.1:7001'), true],
    [new Error('MOVED 3999 127.0.0.1:7001'), true],
    [new Error('TRYAGAIN Multiple keys request during rehashing of slot'), true],
    [new Error('Too many Cluster redirections. Last error: ReplyError: MOVED 3937 127.0.0.1:7001'), true],
    [new Error('Reached the max retries per request limit (which is 1).'), true],
    [new Error('ERR wrong number of arguments'), false],
    [new TypeError('x is undefined'), false],
    ['a string', false],
  ])('classifies %s as retryable=%s', (error, expected) => {
    expect(isRetryableError(error)).toBe(expected);
  });
});

describe('errors of the ZooKeeper backend', () => {
  it('LockUnavailableError is retryable, LockFenceError is not, a lost session is a LockLostError', () => {
    const unavailable = new LockUnavailableError('create', 'no reply within 5000 ms', { resource: 'p1' });
    expect(unavailable).toMatchObject({ name: 'LockUnavailableError', operation: 'create', resource: 'p1' });
    expect(isRetryableError(unavailable)).toBe(true);
    const fence = new LockFenceError('p1', '9007199254740993', 'outside 1 .. 2^53 - 1');
    expect(fence).toMatchObject({ name: 'LockFenceError', fence: '9007199254740993' });
    expect(isRetryableError(fence)).toBe(false);
    const lost = new LockLostError('p1', 42, 'session');
    expect(lost.message).toContain('ZooKeeper session');
    expect(isRetryableError(lost)).toBe(true);
  });
});
