import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces what lies between `<!-- <name>:start -->` and `<!-- <name>:end -->` in `text` with `content`.
 * Throws when the markers are missing, so a renamed section is noticed rather than silently skipped.
 */
export function replaceBetweenMarkers(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${start} … ${end} not found`);
  return `${text.slice(0, from + start.length)}\n${content.trim()}\n${text.slice(to)}`;
}

/** Rewrites the marked section `name` of the file at `path`. */
export function updateMarkedSection(path: string, name: string, content: string): void {
  writeFileSync(path, replaceBetweenMarkers(readFileSync(path, 'utf8'), name, content));
}
