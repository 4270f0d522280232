/**
 * Exponential backoff with full jitter: a uniformly random delay in `[0, min(maxMs, minMs × 2^attempt)]`.
 * Randomising the whole interval (not just a small jitter on top) spreads contenders out, which is what
 * keeps a hot lock from collapsing under synchronized retries.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return random() * cap;
}
