import type { ScriptArg } from './createScript.ts';

/** Result of one acquisition attempt, decoded from a strategy script's reply. */
export type AcquireAttempt =
  | { readonly kind: 'acquired'; value: string; fence: number; expiresAt: number; takeover: boolean }
  /**
   * Not ours now: held by a live holder (a takeover, or Redis's expiry, is possible in `retryInMs` at the
   * earliest), or free but promised to an earlier waiter (whose place ends in `retryInMs` at the latest).
   */
  | { readonly kind: 'held'; retryInMs: number }
  /** The key holds a value this library did not write. */
  | { readonly kind: 'foreign' };

/**
 * Reply of an acquire script: `{1, value, fence, expiresAt, takeover}` acquired, `{0, retryInMs}` held,
 * `{-1}` foreign value.
 */
export type AcquireReply = [1, string, number, number, 0 | 1] | [0, number] | [-1];

/** How an attempt stands in the resource's wait list. */
export interface WaitInLine {
  /** Join (or stay in) the line when the lock cannot be ours now; false for a single try. */
  wait: boolean;
  /** How long the place in line lasts unless the waiter tries again, ms. */
  registrationMs: number;
  /** The Redis pub/sub channel the releaser publishes the waiter's token on ('' for none: it polls). */
  channel: string;
}

/** Arguments every acquire script takes, in this order: ARGV[1..8]. */
export function acquireArgs(
  token: string,
  ttlMs: number,
  driftMs: number,
  now: number,
  pxMs: number,
  line: WaitInLine,
): ScriptArg[] {
  return [token, ttlMs, driftMs, now, pxMs, line.wait ? '1' : '0', line.registrationMs, line.channel];
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
