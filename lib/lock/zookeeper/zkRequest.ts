import { Exception } from 'node-zookeeper-client';
import { LockLostError, LockUnavailableError } from '../errors.ts';
import type { SessionHandle } from './ZooKeeperSession.ts';

/** Callback shape of node-zookeeper-client requests. */
export type ZkCallback<T> = (error: Error | Exception | null, result: T) => void;

/**
 * One ZooKeeper request, bounded: resolves with its result, rejects with the client's `Exception` (callers
 * test codes with {@link hasZkCode}), or with `LockUnavailableError` when no reply came within `timeoutMs`
 * (the client queues requests while disconnected and would otherwise wait for a reconnection forever) or
 * the connection dropped with the request in flight. Rejects with `LockLostError('session')` when the
 * session is lost meanwhile.
 */
export function zkRequest<T>(
  session: SessionHandle,
  operation: string,
  resource: string,
  timeoutMs: number,
  start: (callback: ZkCallback<T>) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (session.signal.aborted) {
      reject(new LockLostError(resource, 0, 'session', session.signal.reason));
      return;
    }
    const onLost = () => finish(new LockLostError(resource, 0, 'session', session.signal.reason));
    const timer = setTimeout(
      () => finish(new LockUnavailableError(operation, `no reply within ${timeoutMs} ms`, { resource })),
      Math.max(1, timeoutMs),
    );
    session.signal.addEventListener('abort', onLost, { once: true });
    let done = false;
    function finish(error: unknown, result?: T): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.signal.removeEventListener('abort', onLost);
      if (error) reject(error);
      else resolve(result as T);
    }
    start((error, result) => {
      if (error && hasZkCode(error, Exception.CONNECTION_LOSS)) {
        finish(new LockUnavailableError(operation, 'connection lost', { resource, cause: error }));
      } else if (error && hasZkCode(error, Exception.SESSION_EXPIRED)) {
        finish(new LockLostError(resource, 0, 'session', error));
      } else finish(error, result);
    });
  });
}

/** True when `error` is a node-zookeeper-client `Exception` with `code`. */
export function hasZkCode(error: unknown, code: number): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { getCode?: unknown }).getCode === 'function' &&
    (error as Exception).getCode() === code
  );
}
