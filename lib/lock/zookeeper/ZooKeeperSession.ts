import { setMaxListeners } from 'node:events';
import { type Client, createClient, State } from 'node-zookeeper-client';
import { LockOptionsError, LockUnavailableError } from '../errors.ts';

/** Options of {@link ZooKeeperSession}. */
export interface ZooKeeperSessionOptions {
  /**
   * Session timeout asked of the server, in ms (the server clamps it to its `[min, max]`). A holder that
   * crashes keeps its lock this long; a holder cut off this long loses it.
   * @defaultValue `6000`: long enough to ride out a GC pause or a brief network blip (the client pings every
   * third of it), short enough that a crashed consumer frees its packet within seconds.
   */
  sessionTimeoutMs?: number;
  /**
   * How long opening a session may take, retries included, before `LockUnavailableError`.
   * @defaultValue `10000`
   */
  connectTimeoutMs?: number;
}

/**
 * One ZooKeeper session as the lock sees it: the client, whether it is connected right now, and a signal
 * that aborts (for good) when the session is lost: expired, or disconnected for longer than its timeout, after
 * which the server has surely expired it and deleted its ephemeral znodes.
 */
export interface SessionHandle {
  readonly client: Client;
  /** Aborts with the reason once the session is lost; every lease taken on it is lost with it. */
  readonly signal: AbortSignal;
  /** True while the client is connected to a server (a lease can only be proven while connected). */
  readonly connected: boolean;
  /** Session timeout granted by the server, in ms. */
  readonly timeoutMs: number;
}

/**
 * A ZooKeeper connection that outlives its sessions: `current()` returns the live session, and opens a new
 * one (a new client) after the previous one was lost, because node-zookeeper-client closes itself for good
 * when its session expires. Opening retries until `connectTimeoutMs`: a server that just started answers
 * `ruok` before it accepts sessions. A chroot in the connect string (`host:port/red-packets`) is created
 * when missing: ZooKeeper itself never creates one.
 *
 *   connected ──disconnect / silent 2/3 timeout──► suspended (no commits) ──reply──► connected
 *                                  └──── silent a whole timeout / "expired" ────► lost: signal aborts
 */
export class ZooKeeperSession {
  readonly connectString: string;
  readonly #sessionTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  #current: Promise<SessionHandle> | undefined;
  #handles = new Set<{ close: () => void }>();
  #chrootReady = false;
  #closed = false;

  constructor(connectString: string, options: ZooKeeperSessionOptions = {}) {
    if (!/^[^\s/,]+:\d+(,[^\s/,]+:\d+)*(\/[^\s]*)?$/.test(connectString)) {
      throw new LockOptionsError('connectString', `must look like host:port[,host:port...][/chroot]`);
    }
    this.connectString = connectString;
    this.#sessionTimeoutMs = options.sessionTimeoutMs ?? 6000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    for (const [name, value] of [
      ['sessionTimeoutMs', this.#sessionTimeoutMs],
      ['connectTimeoutMs', this.#connectTimeoutMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 100 || value > 600_000) {
        throw new LockOptionsError(name, `must be an integer from 100 to 600000, got ${String(value)}`);
      }
    }
  }

  /** The live session, opening one if there is none (or the last one was lost). */
  current(): Promise<SessionHandle> {
    if (this.#closed) return Promise.reject(new LockUnavailableError('connect', 'the session was closed'));
    const current = this.#current;
    if (!current) return this.#open();
    // A lost session is replaced on the next call, a failed opening retried; concurrent callers that saw
    // the same stale session share one replacement.
    const replace = () => (this.#current === current ? this.#open() : this.current());
    return current.then((handle) => (handle.signal.aborted ? replace() : handle), replace);
  }

  /** Closes every client: the server deletes their ephemeral znodes (locks held are released). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const handle of this.#handles) handle.close();
    this.#handles.clear();
  }

  #open(): Promise<SessionHandle> {
    const opening = this.#openWithRetry();
    this.#current = opening;
    return opening;
  }

  async #openWithRetry(): Promise<SessionHandle> {
    const deadline = performance.now() + this.#connectTimeoutMs;
    let last: unknown;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new LockUnavailableError(
          'connect',
          `no session with ${this.connectString} within ${this.#connectTimeoutMs} ms`,
          { cause: last },
        );
      }
      try {
        if (!this.#chrootReady) await this.#ensureChroot(Math.min(left, 3000));
        return await this.#connect(this.connectString, Math.min(left, 3000));
      } catch (error) {
        last = error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Creates the chroot (`/red-packets` of `host:port/red-packets`) through a client without it. */
  async #ensureChroot(timeoutMs: number): Promise<void> {
    const slash = this.connectString.indexOf('/');
    if (slash < 0 || this.connectString.length === slash + 1) {
      this.#chrootReady = true;
      return;
    }
    const handle = await this.#connect(this.connectString.slice(0, slash), timeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('mkdirp of the chroot timed out')), timeoutMs);
        handle.client.mkdirp(this.connectString.slice(slash), (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
      });
      this.#chrootReady = true;
    } finally {
      handle.client.close();
    }
  }

  #connect(connectString: string, timeoutMs: number): Promise<SessionHandle> {
    const client = createClient(connectString, {
      sessionTimeout: this.#sessionTimeoutMs,
      spinDelay: 100,
      retries: 0,
    });
    const lost = new AbortController();
    // Every waiter and every request in flight listens to it: many at once is normal, not a leak.
    setMaxListeners(0, lost.signal);
    let connected = false;
    // performance.now() of the last reply from the server. node-zookeeper-client pings but never notices
    // that the replies stopped (a frozen server, a silent network partition), so the session checks itself.
    let lastHeard = performance.now();
    const silence = () => performance.now() - lastHeard;
    const handle: SessionHandle & { close: () => void } = {
      client,
      signal: lost.signal,
      get connected() {
        // Like the Java client's read timeout: silent for 2/3 of the timeout counts as disconnected.
        return connected && !lost.signal.aborted && silence() < (handle.timeoutMs * 2) / 3;
      },
      get timeoutMs() {
        return client.getSessionTimeout();
      },
      close: () => {
        clearInterval(heartbeat);
        if (!lost.signal.aborted) lost.abort(new LockUnavailableError('session', 'closed by this process'));
        client.close();
      },
    };
    const lose = (why: string) => {
      clearInterval(heartbeat);
      connected = false;
      if (!lost.signal.aborted) lost.abort(new LockUnavailableError('session', why));
      // An expired client never comes back; a cut-off one would only learn the same on reconnecting.
      client.close();
      this.#handles.delete(handle);
    };
    // The server expires a session a timeout after it last heard from the client, so a timeout after we
    // last heard from it (no later than it last heard from us) the session and its znodes are surely gone.
    //
    //   last reply ── heartbeat every 1/6 ── 2/3: not connected (no commits) ──── timeout: lost
    const heartbeat = setInterval(
      () => {
        if (silence() > handle.timeoutMs) {
          lose(
            `no reply from ZooKeeper for ${Math.round(silence())} ms (session timeout ${handle.timeoutMs} ms)`,
          );
        } else if (connected) {
          client.exists('/', (error) => {
            if (!error) lastHeard = performance.now();
          });
        }
      },
      Math.max(20, Math.floor(this.#sessionTimeoutMs / 6)),
    );
    heartbeat.unref();
    client.on('state', (state) => {
      if (state === State.SYNC_CONNECTED || state === State.CONNECTED_READ_ONLY) {
        connected = true;
        lastHeard = performance.now();
      } else if (state === State.DISCONNECTED) {
        // The client reconnects by itself; if that takes longer than the timeout, the heartbeat gives up.
        connected = false;
      } else if (state === State.EXPIRED) {
        lose('the session expired');
      } else if (state === State.AUTH_FAILED) {
        lose('authentication failed');
      }
    });
    this.#handles.add(handle);
    return new Promise<SessionHandle>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.removeListener('connected', onConnected);
        handle.close();
        this.#handles.delete(handle);
        reject(
          new LockUnavailableError('connect', `no session with ${connectString} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const onConnected = () => {
        clearTimeout(timer);
        resolve(handle);
      };
      client.once('connected', onConnected);
      client.connect();
    });
  }
}
