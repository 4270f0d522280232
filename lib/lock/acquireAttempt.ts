import type { ScriptArg } from './createScript.ts';

/** Result of one acquisition attempt, decoded from a strategy script's reply. */
export type AcquireAttempt =
  | { readonly kind: 'acquired'; value: string; fence: number; expiresAt: number; takeover: boolean }
  /** Held by a live holder; a takeover (or Redis expiry) is possible in `retryInMs` at the earliest. */
  | { readonly kind: 'held'; retryInMs: number }
  /** The key holds a value this library did not write. */
  | { readonly kind: 'foreign' };

/**
 * Reply of an acquire script: `{1, value, fence, expiresAt, takeover}` acquired, `{0, retryInMs}` held,
 * `{-1}` foreign value.
 */
export type AcquireReply = [1, string, number, number, 0 | 1] | [0, number] | [-1];

/** Arguments every acquire script takes, in this order: ARGV[1..5]. */
export function acquireArgs(
  token: string,
  ttlMs: number,
  driftMs: number,
  now: number,
  pxMs: number,
): ScriptArg[] {
  return [token, ttlMs, driftMs, now, pxMs];
}

/** Decodes an {@link AcquireReply}. */
export function decodeAcquireReply(reply: AcquireReply): AcquireAttempt {
  switch (reply[0]) {
    case 1:
      return {
        kind: 'acquired',
        value: reply[1],
        fence: reply[2],
        expiresAt: reply[3],
        takeover: reply[4] === 1,
      };
    case 0:
      return { kind: 'held', retryInMs: Math.max(1, reply[1]) };
    default:
      return { kind: 'foreign' };
  }
}
