import { describe, expect, it } from 'vitest';
import { redact } from '../../../lib/cli/connect.ts';

describe('redact', () => {
  it('masks the user and password of a Redis URL in messages, and leaves URLs without them alone', () => {
    expect(redact('rediss://default:s3cr3t@cache.example:6379/0')).toBe('rediss://***@cache.example:6379/0');
    expect(redact('redis://:s3cr3t@127.0.0.1:6379')).toBe('redis://***@127.0.0.1:6379');
    expect(redact('redis://admin@127.0.0.1:6379')).toBe('redis://***@127.0.0.1:6379');
    expect(redact('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redact('rediss://u:p1@a:7000,rediss://u:p2@b:7000')).toBe(
      'rediss://***@a:7000,rediss://***@b:7000',
    );
    expect(redact('127.0.0.1:7000,127.0.0.1:7001')).toBe('127.0.0.1:7000,127.0.0.1:7001');
  });

  it('masks query parameters named like secrets, whatever their case', () => {
    expect(redact('redis://cache:6379/0?password=hunter2&db=1')).toBe(
      'redis://cache:6379/0?password=***&db=1',
    );
    expect(redact('redis://cache:6379?PASS=a&pwd=b&Auth_Token=c&secret=d&x=keep')).toBe(
      'redis://cache:6379?PASS=***&pwd=***&Auth_Token=***&secret=***&x=keep',
    );
    expect(redact('https://sqs.example/1/q?X-Amz-Signature=abc&X-Amz-Credential=k')).toBe(
      'https://sqs.example/1/q?X-Amz-Signature=***&X-Amz-Credential=***',
    );
  });

  it('never shows a password holding @, /, # or a comma, whether or not the URL parses', () => {
    const cases = [
      ['redis://u:p@ss@cache:6379', 'p@ss'],
      ['redis://u:pa/ss@cache:6379', 'pa/ss'],
      ['redis://u:p@ss/x@cache:6379/0', 'p@ss/x'],
      ['redis://u:p#ss@cache:6379', 'p#ss'],
      ['rediss://u:a,b@cache:6379', 'a,b'],
      ['rediss://u:p1@a:7000,rediss://u:p/2@b:7000', 'p/2'],
      ['redis://u:s3cr3t@[bad', 's3cr3t'],
      ['u:s3cr3t@cache:7000', 's3cr3t'],
      ['redis://[bad?password=s3cr3t', 's3cr3t'],
    ];
    for (const [url = '', password = ''] of cases) {
      const shown = redact(url);
      expect({ url, shown: shown.includes(password) || shown.includes(password.slice(-2)) }).toEqual({
        url,
        shown: false,
      });
      expect(shown).toContain('***');
    }
    expect(redact('redis://u:p@ss@cache:6379')).toBe('redis://***@cache:6379');
    expect(redact('redis://u:pa/ss@cache:6379')).toBe('redis://***@cache:6379');
  });
});
