import { decodeMappings, encodeMappings, type MappingSegment } from './sourceMapMappings.ts';

/** A source map (version 3) as esbuild writes it. */
export interface SourceMapV3 {
  version: 3;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  [field: string]: unknown;
}

/** New indexes for the entries of a list that are still used, in order of first use. */
function reindex(): { used: number[]; indexOf(old: number): number } {
  const used: number[] = [];
  const index = new Map<number, number>();
  return {
    used,
    indexOf(old) {
      let i = index.get(old);
      if (i === undefined) {
        i = used.push(old) - 1;
        index.set(old, i);
      }
      return i;
    },
  };
}

/**
 * `map` with only the mappings into the sources `keep` accepts, and only those sources and the names they
 * use. Where a run of dropped mappings starts, a column-only segment marks the position as mapped to
 * nothing, so a stack frame in the rest of the bundle keeps its bundle position instead of borrowing the
 * last kept mapping before it. (Node 24 reads a column-only segment that ends `mappings` as mapped, so
 * one there is followed by an empty line.)
 */
export function trimSourceMap(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const sources = reindex();
  const names = reindex();
  const lines = decodeMappings(map.mappings).map((segments) => {
    const kept: MappingSegment[] = [];
    for (const segment of segments) {
      const [column, source, line, sourceColumn, name] = segment;
      if (
        source === undefined ||
        line === undefined ||
        sourceColumn === undefined ||
        !keep(map.sources[source] ?? '')
      ) {
        // Unmapped from here on: one marker per run (and a line starts as one).
        const previous = kept.at(-1);
        if (previous === undefined || previous.length > 1) kept.push([column]);
        continue;
      }
      const newSource = sources.indexOf(source);
      kept.push(
        name === undefined
          ? [column, newSource, line, sourceColumn]
          : [column, newSource, line, sourceColumn, names.indexOf(name)],
      );
    }
    return kept;
  });
  if (lines.at(-1)?.at(-1)?.length === 1) lines.push([]);
  return {
    ...map,
    sources: sources.used.map((i) => map.sources[i] ?? ''),
    ...(map.sourcesContent
      ? { sourcesContent: sources.used.map((i) => map.sourcesContent?.[i] ?? null) }
      : {}),
    names: names.used.map((i) => map.names[i] ?? ''),
    mappings: encodeMappings(lines),
  };
}
