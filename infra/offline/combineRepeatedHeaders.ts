/** Headers API Gateway does not join: cookies reach a function in `event.cookies`, one per entry. */
const KEPT_APART = new Set(['cookie', 'set-cookie']);

/**
 * A raw header list (`name, value, name, value, …`) with every repeated header (in any letter case) once,
 * where it first appeared, its values joined with `,`: what API Gateway's payload 2.0 hands a function
 * ("duplicate headers are combined with commas"). Cookies are left as they are.
 */
export function combineRepeatedHeaders(rawHeaders: readonly string[]): string[] {
  const first = new Map<string, number>();
  const combined: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const key = name.toLowerCase();
    const at = first.get(key);
    if (at === undefined || KEPT_APART.has(key)) {
      first.set(key, combined.length);
      combined.push(name, value);
    } else {
      combined[at + 1] = `${combined[at + 1]},${value}`;
    }
  }
  return combined;
}
