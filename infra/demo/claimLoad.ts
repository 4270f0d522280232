/**
 * Drives claims over HTTP, for `npm run demo` and `npm run bench:pipeline`: sends them with a fixed number
 * of concurrent clients, then polls `GET /claims/{id}` until every accepted claim is paid or rejected.
 */
import { parseClaimId } from '../../lib/packets/ids.ts';

/** A claim as `GET /claims/{id}` returns it. */
export interface ClaimState {
  claimId: string;
  userId: string;
  status: 'queued' | 'paid' | 'rejected';
  amount?: number;
  reason?: string;
  requestedAt?: number;
  paidAt?: number;
}

/** Runs `tasks` with at most `concurrency` in flight. */
export async function pool<T>(tasks: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await (tasks[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

/**
 * Sends the claims. Resolves with the accepted (202) claim ids, how many were turned away at once because
 * the packet was already exhausted or expired (410, a final answer), and how many failed otherwise.
 */
export async function sendClaims(
  httpUrl: string,
  claims: ReadonlyArray<{ packetId: string; userId: string }>,
  concurrency: number,
  onProgress?: (done: number) => void,
): Promise<{ accepted: string[]; gone: number; failed: number; elapsedMs: number }> {
  const accepted = new Set<string>();
  let gone = 0;
  let failed = 0;
  let done = 0;
  const started = performance.now();
  await pool(
    claims.map(({ packetId, userId }) => async () => {
      try {
        const response = await fetch(`${httpUrl}/packets/${packetId}/claims`, {
          method: 'POST',
          headers: { 'x-user-id': userId },
        });
        const body = (await response.json()) as { claimId?: string };
        if (response.status === 202 && body.claimId) accepted.add(body.claimId);
        else if (response.status === 410) gone++;
        else failed++;
      } catch {
        failed++;
      }
      onProgress?.(++done);
    }),
    concurrency,
  );
  return { accepted: [...accepted], gone, failed, elapsedMs: performance.now() - started };
}

/** Polls until every claim is terminal (or `timeoutMs`); returns the final states. */
export async function awaitTerminal(
  httpUrl: string,
  claimIds: readonly string[],
  options: { concurrency: number; timeoutMs: number; onProgress?: (terminal: number) => void },
): Promise<Map<string, ClaimState>> {
  const states = new Map<string, ClaimState>();
  const deadline = Date.now() + options.timeoutMs;
  let pending = [...claimIds];
  while (pending.length > 0 && Date.now() < deadline) {
    const replies = await pool(
      pending.map((id) => async () => {
        // Only a claim's own user may read it.
        const response = await fetch(`${httpUrl}/claims/${id}`, {
          headers: { 'x-user-id': parseClaimId(id)?.userId ?? '' },
        });
        return response.ok ? ((await response.json()) as ClaimState) : undefined;
      }),
      options.concurrency,
    );
    replies.forEach((state, i) => {
      if (state) states.set(pending[i] as string, state);
    });
    pending = pending.filter(
      (id) => states.get(id)?.status === undefined || states.get(id)?.status === 'queued',
    );
    options.onProgress?.(claimIds.length - pending.length);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return states;
}

/** Whether a stack already answers at `httpUrl`. */
export async function isUp(httpUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${httpUrl}/packets/pk_ready`, {
      signal: AbortSignal.timeout(1500),
      headers: { 'x-user-id': 'probe' },
    });
    return response.status === 404;
  } catch {
    return false;
  }
}
