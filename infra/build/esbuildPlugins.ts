import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { type SourceMapV3, trimSourceMap } from './trimSourceMap.ts';

/** Whether a source map's source is this project's code rather than a dependency's. */
const isOwnSource = (source: string): boolean => !/(^|\/)node_modules\//.test(source);

/**
 * Trims each bundle's source map to this project's own sources. Mappings into dependencies are nearly
 * all of a map (getPacket's, positions only: 1.2 MB, of which 92 KB ours; ~400 KB of its zip, then 25 KB).
 * A stack frame inside a dependency keeps its position in the bundle; one in our code maps to the
 * TypeScript line.
 */
export const ownSourcesMap: Plugin = {
  name: 'own-sources-map',
  setup(build) {
    build.initialOptions.metafile = true;
    const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
    build.onEnd(async (result) => {
      const maps = Object.keys(result.metafile?.outputs ?? {}).filter((file) => file.endsWith('.map'));
      for (const file of maps.map((map) => resolve(cwd, map))) {
        const map = JSON.parse(await readFile(file, 'utf8')) as SourceMapV3;
        await writeFile(file, JSON.stringify(trimSourceMap(map, isOwnSource)));
      }
    });
  },
};

/** The esbuild plugins serverless-esbuild loads (`custom.esbuild.plugins` in serverless.yml). */
export default [ownSourcesMap];
