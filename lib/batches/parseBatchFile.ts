import { MAX_AMOUNT, userIdSchema } from '../packets/schemas.ts';

/** One payout row of a batch file. `line` is the 1-based line (CSV) or element (JSON) it came from. */
export interface BatchRow {
  line: number;
  userId: string;
  amount: number;
}

/** Why a row (or the whole file) was refused. `line` 0 means the file as a whole. */
export interface BatchFileError {
  line: number;
  code:
    | 'bad_encoding'
    | 'empty_file'
    | 'file_too_large'
    | 'bad_header'
    | 'bad_json'
    | 'wrong_columns'
    | 'bad_user'
    | 'bad_amount'
    | 'duplicate_row';
  message: string;
}

/** Limits of one file. @defaultValue 200,000 rows, 32 MiB */
export const MAX_BATCH_ROWS = 200_000;
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;

/**
 * Parses and validates a payout file: CSV with the header `userId,amount` (plain, unquoted: a user id
 * containing a comma needs the JSON form; blank lines and lines starting with `#` are skipped), or JSON (an
 * array of `{userId, amount}`, or `{items: [...]}`). Amounts are integers in minor units. Every problem is reported
 * with its line; a user listed twice is an error (the second row names the first). Never throws for bad
 * content: the caller decides whether `--skip-invalid` lets the valid rows through.
 */
export function parseBatchFile(
  content: Uint8Array,
  format: 'csv' | 'json',
): { rows: BatchRow[]; errors: BatchFileError[] } {
  if (content.byteLength > MAX_BATCH_BYTES) {
    return fileError('file_too_large', `the file is larger than ${MAX_BATCH_BYTES} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return fileError('bad_encoding', 'the file is not valid UTF-8 (save it as UTF-8)');
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') return fileError('empty_file', 'the file has no rows');
  const raw = format === 'csv' ? csvRows(text) : jsonRows(text);
  if ('error' in raw) return { rows: [], errors: [raw.error] };
  if (raw.rows.length === 0) return fileError('empty_file', 'the file has no rows');
  if (raw.rows.length > MAX_BATCH_ROWS)
    return fileError('file_too_large', `more than ${MAX_BATCH_ROWS} rows`);
  const rows: BatchRow[] = [];
  const errors: BatchFileError[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, columns, userId, amount } of raw.rows) {
    const problem = checkRow(columns, userId, amount);
    if (problem) {
      errors.push({ line, ...problem });
      continue;
    }
    const user = userId as string;
    const seen = firstLine.get(user);
    if (seen !== undefined) {
      errors.push({ line, code: 'duplicate_row', message: `user ${user} is already listed on line ${seen}` });
      continue;
    }
    firstLine.set(user, line);
    rows.push({ line, userId: user, amount: Number(amount) });
  }
  return { rows, errors };
}

/** A row as read, before validation; `columns` is how many fields it had (2 expected). */
type RawRow = { line: number; columns: number; userId: unknown; amount: unknown };

function csvRows(text: string): { rows: RawRow[] } | { error: BatchFileError } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((c) => c.trim());
  if (header.length !== 2 || header[0] !== 'userId' || header[1] !== 'amount') {
    return {
      error: { line: 1, code: 'bad_header', message: 'the first line must be exactly: userId,amount' },
    };
  }
  const rows: RawRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = (lines[i] as string).split(',');
    if (cells.length === 1 && cells[0]?.trim() === '') continue; // blank line
    if (lines[i]?.trimStart().startsWith('#')) continue; // comment
    const line = i + 1;
    rows.push({ line, columns: cells.length, userId: cells[0]?.trim(), amount: cells[1]?.trim() });
  }
  return { rows };
}

function jsonRows(text: string): { rows: RawRow[] } | { error: BatchFileError } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: { line: 0, code: 'bad_json', message: `not valid JSON: ${(error as Error).message}` } };
  }
  const items = Array.isArray(data) ? data : (data as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    return {
      error: {
        line: 0,
        code: 'bad_json',
        message: 'expected an array of {userId, amount} (or {items: [...]})',
      },
    };
  }
  return {
    rows: items.map((item, i) => {
      const keys = item && typeof item === 'object' ? Object.keys(item) : [];
      const extra = keys.some((k) => k !== 'userId' && k !== 'amount');
      const { userId, amount } = (item ?? {}) as { userId?: unknown; amount?: unknown };
      const columns = extra ? keys.length : 2;
      return { line: i + 1, columns, userId, amount: typeof amount === 'number' ? String(amount) : amount };
    }),
  };
}

function checkRow(columns: number, userId: unknown, amount: unknown): Omit<BatchFileError, 'line'> | null {
  if (columns !== 2) {
    return { code: 'wrong_columns', message: `expected 2 columns (userId, amount), got ${columns}` };
  }
  if (!userIdSchema.safeParse(userId).success) {
    return { code: 'bad_user', message: 'userId must be 1-128 printable characters without spaces' };
  }
  if (
    typeof amount !== 'string' ||
    !/^\d{1,13}$/.test(amount) ||
    Number(amount) < 1 ||
    Number(amount) > MAX_AMOUNT
  ) {
    return {
      code: 'bad_amount',
      message: `amount must be a whole number of minor units from 1 to ${MAX_AMOUNT}, got ${JSON.stringify(amount)}`,
    };
  }
  return null;
}

function fileError(code: BatchFileError['code'], message: string) {
  return { rows: [], errors: [{ line: 0, code, message }] };
}
