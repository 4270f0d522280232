import { describe, expect, it } from 'vitest';
import { CliError } from '../../../lib/cli/CliError.ts';
import {
  DEFAULT_WAIT_TIMEOUT_S,
  DEFAULT_WATCH_INTERVAL_MS,
  parseCommand,
} from '../../../lib/cli/parseCommand.ts';

const env = { REDIS_URL: 'redis://env:6379', CLAIMS_QUEUE_URL: 'http://q/1/claims' };

function usageError(argv: string[]): CliError {
  try {
    parseCommand(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return error as CliError;
  }
  throw new Error(`parsed: ${argv.join(' ')}`);
}

describe('parseCommand', () => {
  it('reads payouts submit with defaults, the format from the extension, connection from env then flags', () => {
    expect(parseCommand(['payouts', 'submit', '--packet', 'pk_1', '--file', 'w.JSON'], env)).toEqual({
      name: 'payouts submit',
      json: false,
      connection: {
        redisUrl: 'redis://env:6379',
        redisMode: 'standalone',
        queueUrl: 'http://q/1/claims',
        sqsEndpoint: undefined,
        region: 'us-east-1',
      },
      packetId: 'pk_1',
      file: 'w.JSON',
      format: 'json',
      batchId: undefined,
      skipInvalid: false,
      allowRepeatPayees: false,
      senders: 8,
      wait: false,
      waitTimeoutS: DEFAULT_WAIT_TIMEOUT_S,
    });
    const flags = parseCommand(
      [
        'payouts',
        'submit',
        '--packet',
        'p',
        '--file',
        'w.txt',
        '--format',
        'csv',
        '--batch-id',
        'spring-1',
        '--allow-repeat-payees',
        '--skip-invalid',
        '--senders',
        '3',
        '--wait',
        '--wait-timeout',
        '60',
        '--redis-url',
        'redis://flag:1',
        '--json',
      ],
      env,
    );
    expect(flags).toMatchObject({
      format: 'csv',
      batchId: 'spring-1',
      allowRepeatPayees: true,
      skipInvalid: true,
      senders: 3,
      wait: true,
      waitTimeoutS: 60,
      json: true,
      connection: { redisUrl: 'redis://flag:1' },
    });
  });

  it('reads the Redis mode from the flag or REDIS_MODE', () => {
    const command = parseCommand(['reconcile', '--packet', 'p', '--redis-mode', 'cluster'], {
      ...env,
      REDIS_URL: 'redis://a:7000,redis://b:7000',
    });
    expect(command.connection).toMatchObject({
      redisMode: 'cluster',
      redisUrl: 'redis://a:7000,redis://b:7000',
    });
    expect(
      parseCommand(['reconcile', '--packet', 'p'], { ...env, REDIS_MODE: 'cluster' }).connection.redisMode,
    ).toBe('cluster');
  });

  it('reads the money commands: balances, packets create with an owner and a funding reference, settle, export', () => {
    expect(
      parseCommand(
        ['balances', 'credit', '--owner', 'op:campaigns', '--amount', '5000', '--reference', 'wire-1'],
        env,
      ),
    ).toMatchObject({ name: 'balances credit', owner: 'op:campaigns', amount: 5000, reference: 'wire-1' });
    expect(parseCommand(['balances', 'show', '--owner', 'alice'], env)).toMatchObject({ owner: 'alice' });
    expect(parseCommand(['packets', 'create', '--total', '100', '--count', '2'], env)).toMatchObject({
      owner: 'op:cli',
      fundReference: undefined,
    });
    expect(
      parseCommand(
        ['packets', 'create', '--total', '100', '--count', '2', '--owner', 'op:x', '--fund-reference', 'r1'],
        env,
      ),
    ).toMatchObject({ owner: 'op:x', fundReference: 'r1' });
    expect(parseCommand(['packets', 'settle', '--packet', 'pk_1'], env)).toMatchObject({
      name: 'packets settle',
    });
    expect(parseCommand(['packets', 'export', '--packet', 'pk_1'], env)).toMatchObject({
      name: 'packets export',
    });
    expect(parseCommand(['reconcile', '--owner', 'op:x'], env)).toMatchObject({
      owner: 'op:x',
      packetId: undefined,
    });
    expect(usageError(['reconcile']).message).toMatch(/needs either --packet or --owner/);
    expect(usageError(['reconcile', '--packet', 'p', '--owner', 'o']).message).toMatch(
      /either --packet or --owner/,
    );
    expect(usageError(['balances', 'credit', '--owner', 'o', '--amount', '1']).message).toMatch(
      /needs --reference/,
    );
    expect(
      usageError(['balances', 'credit', '--owner', 'o', '--amount', '0', '--reference', 'r']).message,
    ).toMatch(/--amount must be a whole number/);
  });

  it('reads packets create, reconcile, status and help', () => {
    expect(
      parseCommand(['packets', 'create', '--total', '10000', '--count', '10', '--mode', 'equal'], env),
    ).toMatchObject({ totalAmount: 10_000, count: 10, mode: 'equal' });
    expect(parseCommand(['reconcile', '--packet', 'pk_2'], env)).toMatchObject({
      name: 'reconcile',
      packetId: 'pk_2',
      stuckAfterS: 900,
    });
    expect(parseCommand(['reconcile', '--packet', 'pk_2', '--stuck-after', '60'], env)).toMatchObject({
      stuckAfterS: 60,
    });
    expect(parseCommand(['payouts', 'status', '--batch', 'b1', '--wait'], env)).toMatchObject({
      batchId: 'b1',
      wait: true,
    });
    expect(parseCommand([], env).name).toBe('help');
    expect(parseCommand(['reconcile', '--help'], env).name).toBe('help');
  });

  it('reads packets watch: its interval (default 1 s, 100 ms to 60 s) and nothing else', () => {
    expect(parseCommand(['packets', 'watch', '--packet', 'pk_1'], env)).toMatchObject({
      name: 'packets watch',
      packetId: 'pk_1',
      intervalMs: DEFAULT_WATCH_INTERVAL_MS,
    });
    expect(DEFAULT_WATCH_INTERVAL_MS).toBe(1000);
    expect(parseCommand(['packets', 'watch', '--packet', 'pk_1', '--interval', '250'], env)).toMatchObject({
      intervalMs: 250,
    });
    expect(usageError(['packets', 'watch']).message).toMatch(/needs --packet/);
    expect(usageError(['packets', 'watch', '--packet', 'pk_1', '--interval', '50']).message).toMatch(
      /--interval/,
    );
    expect(usageError(['packets', 'watch', '--packet', 'pk_1', '--file', 'x']).message).toMatch(
      /does not take --file/,
    );
  });

  it('refuses unknown commands and flags, misplaced flags, missing and malformed values', () => {
    expect(usageError(['payouts', 'send']).message).toMatch(/unknown command "payouts send"/);
    expect(usageError(['reconcile', '--packet', 'p', '--nope']).message).toMatch(/Unknown option '--nope'/);
    expect(usageError(['reconcile', '--packet', 'p', '--file', 'x']).message).toMatch(
      /"reconcile" does not take --file/,
    );
    expect(usageError(['payouts', 'submit', '--file', 'x']).message).toMatch(/needs --packet/);
    expect(
      usageError(['payouts', 'submit', '--packet', 'p', '--file', 'x', '--senders', '0']).message,
    ).toMatch(/--senders must be a whole number from 1 to 64, got "0"/);
    expect(
      usageError(['payouts', 'submit', '--packet', 'p', '--file', 'x', '--format', 'xlsx']).message,
    ).toMatch(/--format must be csv or json/);
    expect(usageError(['payouts', 'status', '--batch', 'a b']).message).toMatch(/--batch: may only contain/);
    expect(
      usageError(['payouts', 'submit', '--packet', 'p', '--file', 'x', '--allow-repeat-payees']).message,
    ).toMatch(/--allow-repeat-payees needs --batch-id/);
    expect(
      usageError(['payouts', 'submit', '--packet', 'p', '--file', 'x', '--batch-id', 'a/b']).message,
    ).toMatch(/--batch-id: may only contain/);
    expect(usageError(['reconcile', '--packet', 'p', '--stuck-after', '0']).message).toMatch(/stuck-after/);
    expect(usageError(['reconcile', '--packet', 'p', '--redis-mode', 'sentinel']).message).toMatch(
      /--redis-mode must be standalone or cluster/,
    );
    expect(usageError(['packets', 'create', '--total', '12.5', '--count', '1']).message).toMatch(
      /--total must be a whole number/,
    );
    expect(usageError(['payouts', 'status', '--batch', 'b', '--wait-timeout', '-1']).message).toMatch(
      /wait-timeout/,
    );
  });
});
