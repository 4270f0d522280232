import { describe, expect, it } from 'vitest';
import { redact } from '../../../lib/cli/connect.ts';

describe('redact', () => {
  it('masks the password of a Redis URL in messages, and leaves URLs without one alone', () => {
    expect(redact('rediss://default:s3cr3t@cache.example:6379/0')).toBe(
      'rediss://default:***@cache.example:6379/0',
    );
    expect(redact('redis://:s3cr3t@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redact('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redact('rediss://u:p1@a:7000,rediss://u:p2@b:7000')).toBe(
      'rediss://u:***@a:7000,rediss://u:***@b:7000',
    );
  });
});
