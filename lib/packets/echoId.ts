/** Longest id echoed in full in a message, in characters. @defaultValue 64: every id the API makes fits. */
export const ECHOED_ID_CHARS = 64;

/**
 * `id` as an error message may show it: its first {@link ECHOED_ID_CHARS} characters (whole code points,
 * never half a surrogate pair), then `…` when it was longer. Whatever a client sends as an id, a message
 * never grows with it.
 */
export function echoId(id: string, max = ECHOED_ID_CHARS): string {
  let end = 0;
  let count = 0;
  for (const char of id) {
    if (count === max) return `${id.slice(0, end)}…`;
    end += char.length;
    count += 1;
  }
  return id;
}
