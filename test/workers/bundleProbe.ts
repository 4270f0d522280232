/**
 * Imports a function's bundle (BUNDLE: the .mjs, its .map beside it) under V8's precise coverage, invokes
 * its handler once with HANDLER_EVENT (JSON), and reports `{type: 'ran', sources, markers, outcome}`: the
 * original sources, as the bundle's source map names them, of which some code ran, and for each string of
 * MARKERS (JSON; code of a dependency, which the map does not name) whether the code around its first
 * occurrence ran (`ran`, `not run` or `absent`). Code counts as run when the innermost function around
 * it was called; the bundle's top level (its imports and the declarations of the modules esbuild wraps
 * for lazy evaluation) never counts, so a wrapped module counts only once something evaluated it. The
 * rest of the environment is the function's configuration.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { decodeMappings } from '../../infra/build/sourceMapMappings.ts';
import type { SourceMapV3 } from '../../infra/build/trimSourceMap.ts';
import { report, runWorker } from '../harness/workerRuntime.ts';

interface Coverage {
  result: {
    url: string;
    functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[];
  }[];
}

type Range = Coverage['result'][number]['functions'][number]['ranges'][number];

/**
 * For offsets asked in ascending order: whether the innermost function around the offset, other than the
 * script itself (`length` characters), was called. Function ranges nest, so one sweep with a stack of
 * the ranges open at the offset answers each.
 */
function calledAt(
  functions: Coverage['result'][number]['functions'],
  length: number,
): (offset: number) => boolean {
  const ranges = functions
    .map((f) => f.ranges[0])
    .filter(
      (range): range is Range =>
        range !== undefined && !(range.startOffset === 0 && range.endOffset >= length),
    )
    .sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const open: Range[] = [];
  let next = 0;
  const closeBefore = (offset: number) => {
    while ((open.at(-1)?.endOffset ?? Number.POSITIVE_INFINITY) <= offset) open.pop();
  };
  return (offset) => {
    for (; next < ranges.length && (ranges[next]?.startOffset ?? 0) <= offset; next++) {
      const range = ranges[next] as Range;
      closeBefore(range.startOffset);
      open.push(range);
    }
    closeBefore(offset);
    return (open.at(-1)?.count ?? 0) > 0;
  };
}

runWorker(async () => {
  const bundle = process.env.BUNDLE ?? '';
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
  const { handler } = await import(pathToFileURL(bundle).href);
  const context = { functionName: 'probe', awsRequestId: 'probe-1', getRemainingTimeInMillis: () => 10_000 };
  const outcome = await handler(JSON.parse(process.env.HANDLER_EVENT ?? '{}'), context).then(
    (reply: { statusCode?: number } | undefined) => String(reply?.statusCode ?? 'returned'),
    (error: Error) => error.name,
  );
  const { result } = (await session.post('Profiler.takePreciseCoverage')) as Coverage;
  session.disconnect();

  const url = pathToFileURL(bundle).href;
  const text = readFileSync(bundle, 'utf8');
  const ran = calledAt(result.find((script) => script.url === url)?.functions ?? [], text.length);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as SourceMapV3;
  // What to ask about: every mapped position (for its source), and where each marker first occurs.
  const queries: { offset: number; name: string }[] = [];
  decodeMappings(map.mappings).forEach((segments, line) => {
    for (const [column, source] of segments) {
      if (source !== undefined)
        queries.push({ offset: (lineStarts[line] ?? 0) + column, name: map.sources[source] ?? '' });
    }
  });
  const markers = JSON.parse(process.env.MARKERS ?? '[]') as string[];
  for (const marker of markers) {
    const offset = text.indexOf(marker);
    if (offset >= 0) queries.push({ offset, name: `marker:${marker}` });
  }
  queries.sort((x, y) => x.offset - y.offset);
  const names = new Set(queries.filter((query) => ran(query.offset)).map((query) => query.name));
  report({
    type: 'ran',
    sources: [...names].filter((name) => !name.startsWith('marker:')),
    markers: Object.fromEntries(
      markers.map((m) => [m, names.has(`marker:${m}`) ? 'ran' : text.includes(m) ? 'not run' : 'absent']),
    ),
    outcome,
  });
  process.exit(0); // the Redis client would reconnect forever
});
