/**
 * One segment of a source map's `mappings`, in absolute values (the format stores deltas): a generated
 * column alone (the position maps to nothing), or with the source index, line and column it maps to, and
 * optionally the index of its original name. Lines and columns are 0-based.
 */
export type MappingSegment =
  | [column: number]
  | [column: number, source: number, line: number, sourceColumn: number]
  | [column: number, source: number, line: number, sourceColumn: number, name: number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((char, i) => [char, i]));

/** The base64 VLQ numbers of one encoded segment. */
function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not a source map segment: ${segment}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeVlq(value: number): string {
  let rest = value < 0 ? -value * 2 + 1 : value * 2;
  let out = '';
  do {
    const digit = rest % 32;
    rest = Math.floor(rest / 32);
    out += BASE64[rest > 0 ? digit + 32 : digit];
  } while (rest > 0);
  return out;
}

/** The segments of `mappings`, one array per generated line. */
export function decodeMappings(mappings: string): MappingSegment[][] {
  const last = { source: 0, line: 0, column: 0, name: 0 };
  return mappings.split(';').map((line) => {
    let column = 0;
    return (line === '' ? [] : line.split(',')).map((encoded): MappingSegment => {
      const [dColumn = 0, dSource, dLine = 0, dSourceColumn = 0, dName] = decodeVlq(encoded);
      column += dColumn;
      if (dSource === undefined) return [column];
      last.source += dSource;
      last.line += dLine;
      last.column += dSourceColumn;
      if (dName === undefined) return [column, last.source, last.line, last.column];
      last.name += dName;
      return [column, last.source, last.line, last.column, last.name];
    });
  });
}

/** The `mappings` string of `lines` (the inverse of {@link decodeMappings}). */
export function encodeMappings(lines: readonly (readonly MappingSegment[])[]): string {
  const last = { source: 0, line: 0, column: 0, name: 0 };
  return lines
    .map((segments) => {
      let column = 0;
      return segments
        .map(([generated, source, line, sourceColumn, name]) => {
          let out = encodeVlq(generated - column);
          column = generated;
          if (source === undefined || line === undefined || sourceColumn === undefined) return out;
          out += encodeVlq(source - last.source) + encodeVlq(line - last.line);
          out += encodeVlq(sourceColumn - last.column);
          last.source = source;
          last.line = line;
          last.column = sourceColumn;
          if (name === undefined) return out;
          out += encodeVlq(name - last.name);
          last.name = name;
          return out;
        })
        .join(',');
    })
    .join(';');
}
