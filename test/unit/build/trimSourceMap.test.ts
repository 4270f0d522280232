import { SourceMap, type SourceMapPayload } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMappings,
  encodeMappings,
  type MappingSegment,
} from '../../../infra/build/sourceMapMappings.ts';
import { type SourceMapV3, trimSourceMap } from '../../../infra/build/trimSourceMap.ts';

const SOURCES = [
  '../../lib/a.ts',
  '../../node_modules/dep/index.js',
  '../../functions/f.ts',
  'node_modules/x/y.js',
];
const NAMES = ['alpha', 'beta', 'gamma'];
const isOwn = (source: string) => !/(^|\/)node_modules\//.test(source);

/** One generated line: segments at strictly increasing columns, unmapped, mapped, or mapped with a name. */
const line = fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 12 }).chain((columns) =>
  fc.tuple(
    ...[...columns]
      .sort((a, b) => a - b)
      .map((column) =>
        fc.oneof(
          fc.constant<MappingSegment>([column]),
          fc
            .tuple(fc.nat(SOURCES.length - 1), fc.nat(500), fc.nat(200))
            .map(([s, l, c]): MappingSegment => [column, s, l, c]),
          fc
            .tuple(fc.nat(SOURCES.length - 1), fc.nat(500), fc.nat(200), fc.nat(NAMES.length - 1))
            .map(([s, l, c, n]): MappingSegment => [column, s, l, c, n]),
        ),
      ),
  ),
);
const lines = fc.array(line, { minLength: 1, maxLength: 8 });
/**
 * What a position maps to, read off the segments: the last segment at or before it (on its line or an
 * earlier one), as Node's `SourceMap.findEntry` reports it; `undefined` when that maps to nothing.
 */
function lookup(segments: MappingSegment[][], generatedLine: number, column: number) {
  for (let l = Math.min(generatedLine, segments.length - 1); l >= 0; l--) {
    const found = (segments[l] ?? []).filter(([c]) => l < generatedLine || c <= column).at(-1);
    if (!found) continue;
    const [, source, line, sourceColumn, name] = found;
    if (source === undefined) return undefined;
    return {
      originalSource: SOURCES[source],
      originalLine: line,
      originalColumn: sourceColumn,
      name: name === undefined ? undefined : NAMES[name],
    };
  }
  return undefined;
}

/**
 * Node's reading of a map at a position, as {@link lookup} reports it. Node 24 gives a segment without a
 * name the last name read before it, so a name counts only where the expected segment has one.
 */
function nodeLookup(
  map: SourceMap,
  generatedLine: number,
  column: number,
  expected: ReturnType<typeof lookup>,
) {
  const entry = map.findEntry(generatedLine, column) as Record<string, unknown>;
  if (entry.originalSource === undefined) return undefined;
  const { originalSource, originalLine, originalColumn, name } = entry;
  return {
    originalSource,
    originalLine,
    originalColumn,
    name: expected?.name === undefined ? undefined : name,
  };
}

/** Node's own source map reader, the one `--enable-source-maps` uses for stack traces. */
const nodeMap = (map: SourceMapV3) =>
  new SourceMap({ file: '', sourceRoot: '', sourcesContent: [], ...map } as SourceMapPayload);

const mapOf = (segments: MappingSegment[][]): SourceMapV3 => ({
  version: 3,
  sources: SOURCES,
  names: NAMES,
  mappings: encodeMappings(segments),
});

describe('source map mappings', () => {
  it('decoding what was encoded gives the segments back', () => {
    fc.assert(
      fc.property(lines, (segments) => {
        expect(decodeMappings(encodeMappings(segments))).toEqual(segments);
      }),
    );
  });

  it('decodes a known map: "AAAA;;SAAS,U" is (0→0:0:0) on line 0, (9→0:0:9) and (19, unmapped) on line 2', () => {
    expect(decodeMappings('AAAA;;SAAS,U')).toEqual([[[0, 0, 0, 0]], [], [[9, 0, 0, 9], [19]]]);
  });
});

describe('trimSourceMap', () => {
  it('Node reads every position into our sources as before, and every other position as unmapped', () => {
    fc.assert(
      fc.property(lines, (segments) => {
        // Prepare
        const full = mapOf(segments);
        // Act
        const trimmed = nodeMap(trimSourceMap(full, isOwn));
        // Assess
        for (let generatedLine = 0; generatedLine <= segments.length; generatedLine++) {
          for (let column = 0; column <= 310; column += 3) {
            const was = lookup(segments, generatedLine, column);
            const own = was?.originalSource !== undefined && isOwn(was.originalSource);
            expect(nodeLookup(trimmed, generatedLine, column, was)).toEqual(own ? was : undefined);
          }
        }
      }),
    );
  });

  it('keeping every source keeps every position', () => {
    fc.assert(
      fc.property(lines, (segments) => {
        const kept = nodeMap(trimSourceMap(mapOf(segments), () => true));
        for (let generatedLine = 0; generatedLine <= segments.length; generatedLine++) {
          for (let column = 0; column <= 310; column += 3) {
            const was = lookup(segments, generatedLine, column);
            expect(nodeLookup(kept, generatedLine, column, was)).toEqual(was);
          }
        }
      }),
    );
  });

  it('keeps only the sources and names still used, and sourcesContent beside its sources', () => {
    const map: SourceMapV3 = {
      version: 3,
      sources: ['node_modules/dep.js', 'lib/a.ts'],
      sourcesContent: ['dep source', 'a source'],
      names: ['depName', 'ownName'],
      mappings: encodeMappings([
        [
          [0, 0, 0, 0, 0],
          [10, 1, 3, 4, 1],
          [20, 0, 1, 0],
        ],
      ]),
    };
    const trimmed = trimSourceMap(map, isOwn);
    expect(trimmed).toMatchObject({
      sources: ['lib/a.ts'],
      sourcesContent: ['a source'],
      names: ['ownName'],
    });
    // An empty line after the final marker: see trimSourceMap.
    expect(decodeMappings(trimmed.mappings)).toEqual([[[0], [10, 0, 3, 4, 0], [20]], []]);
  });
});
