import { describe, expect, it } from 'vitest';
import { deriveBatchId } from '../../../lib/batches/batchId.ts';
import { MAX_BATCH_BYTES, parseBatchFile } from '../../../lib/batches/parseBatchFile.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('parseBatchFile', () => {
  it('reads CSV (CRLF, BOM, blank lines) and JSON into rows with their lines', () => {
    const csv = parseBatchFile(utf8('\uFEFFuserId,amount\r\nalice,100\r\n\r\nbob,250\r\n'), 'csv');
    expect(csv).toEqual({
      rows: [
        { line: 2, userId: 'alice', amount: 100 },
        { line: 4, userId: 'bob', amount: 250 },
      ],
      errors: [],
    });
    const commented = parseBatchFile(
      utf8('userId,amount\n# winners of round 1\n  # indented\nalice,100\n'),
      'csv',
    );
    expect(commented).toEqual({ rows: [{ line: 4, userId: 'alice', amount: 100 }], errors: [] });
    const json = parseBatchFile(utf8('{"items": [{"userId": "carol", "amount": 5}]}'), 'json');
    expect(json.rows).toEqual([{ line: 1, userId: 'carol', amount: 5 }]);
  });

  it.each([
    ['wrong header', 'csv', 'user,amount\nalice,1\n', [{ line: 1, code: 'bad_header' }]],
    [
      'wrong columns',
      'csv',
      'userId,amount\nalice,1,extra\nbob\n',
      [
        { line: 2, code: 'wrong_columns' },
        { line: 3, code: 'wrong_columns' },
      ],
    ],
    [
      'bad amounts',
      'csv',
      'userId,amount\na,0\nb,-5\nc,1.50\nd,ten\ne,99999999999999\n',
      ['bad_amount', 'bad_amount', 'bad_amount', 'bad_amount', 'bad_amount'].map((code, i) => ({
        line: i + 2,
        code,
      })),
    ],
    [
      'bad users',
      'csv',
      'userId,amount\n,5\nhas space,5\n',
      [
        { line: 2, code: 'bad_user' },
        { line: 3, code: 'bad_user' },
      ],
    ],
    [
      'duplicate rows',
      'csv',
      'userId,amount\nalice,1\nbob,2\nalice,3\n',
      [{ line: 4, code: 'duplicate_row' }],
    ],
    ['empty file', 'csv', '', [{ line: 0, code: 'empty_file' }]],
    ['header only', 'csv', 'userId,amount\n', [{ line: 0, code: 'empty_file' }]],
    ['broken JSON', 'json', '[{"userId": "a", "amount": 1}', [{ line: 0, code: 'bad_json' }]],
    [
      'JSON extra fields and fractions',
      'json',
      '[{"userId": "a", "amount": 1, "note": "x"}, {"userId": "b", "amount": 1.5}]',
      [
        { line: 1, code: 'wrong_columns' },
        { line: 2, code: 'bad_amount' },
      ],
    ],
  ] as const)('%s → errors with line numbers', (_name, format, text, expected) => {
    const { errors } = parseBatchFile(utf8(text), format);
    expect(errors.map(({ line, code }) => ({ line, code }))).toEqual(expected);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(5);
  });

  it('refuses a file that is not UTF-8, and one that is too large, as a whole', () => {
    const latin1 = new Uint8Array([...utf8('userId,amount\nJos'), 0xe9, ...utf8(',5\n')]);
    expect(parseBatchFile(latin1, 'csv').errors).toMatchObject([{ line: 0, code: 'bad_encoding' }]);
    expect(parseBatchFile(new Uint8Array(MAX_BATCH_BYTES + 1), 'csv').errors).toMatchObject([
      { line: 0, code: 'file_too_large' },
    ]);
  });
});

describe('deriveBatchId', () => {
  it('is the same for the same packet and set of rows, in any order, and differs when what is paid changes', () => {
    const rows = [
      { userId: 'a', amount: 1 },
      { userId: 'b', amount: 2 },
    ];
    const id = deriveBatchId('pk_1', rows);
    expect(id).toMatch(/^bt_[A-Za-z0-9_-]{22}$/);
    expect(
      deriveBatchId(
        'pk_1',
        rows.map((r) => ({ ...r })),
      ),
    ).toBe(id);
    expect(deriveBatchId('pk_2', rows)).not.toBe(id);
    expect(deriveBatchId('pk_1', [...rows].reverse())).toBe(id); // order is layout, not content
    expect(deriveBatchId('pk_1', rows.slice(0, 1))).not.toBe(id);
    expect(deriveBatchId('pk_1', [...rows, { userId: 'c', amount: 1 }])).not.toBe(id);
    // Users that are prefixes of one another keep the canonical form unambiguous.
    expect(deriveBatchId('pk_1', [{ userId: 'a', amount: 11 }])).not.toBe(
      deriveBatchId('pk_1', [{ userId: 'a1', amount: 1 }]),
    );
    expect(
      deriveBatchId('pk_1', [
        { userId: 'a', amount: 1 },
        { userId: 'b', amount: 3 },
      ]),
    ).not.toBe(id);
  });
});
