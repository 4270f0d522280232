import { randomBytes } from 'node:crypto';
import { CreateMode, Exception, type Stat } from 'node-zookeeper-client';
import type { PipelineReads, ScriptArg, ScriptClient } from '../createScript.ts';
import type {
  AcquireOptions,
  DistributedLock,
  Lease,
  LockedRoutine,
  UsingOptions,
} from '../DistributedLock.ts';
import { AbortError, LockError, LockFenceError, LockLostError, LockTimeoutError } from '../errors.ts';
import { checkFenceReply, type FencedScript, type FenceGuard } from '../fencedScript.ts';
import { assertDuration, assertResource } from '../lockOptions.ts';
import { czxidToFence } from './czxidToFence.ts';
import { holdZooKeeperLease } from './holdZooKeeperLease.ts';
import { raiseFence } from './raiseFence.ts';
import type { SessionHandle, ZooKeeperSession } from './ZooKeeperSession.ts';
import { hasZkCode, zkRequest } from './zkRequest.ts';
import type { ResolvedZooKeeperLockOptions } from './zooKeeperLockOptions.ts';

/** A znode this process created for a resource: waiting, then held until released or lost. */
interface Node {
  readonly session: SessionHandle;
  readonly resource: string;
  /** Full path, `<root>/<resource>/lock-<token>-<sequence>`. */
  readonly path: string;
  readonly name: string;
  readonly token: string;
  /** performance.now() by which the acquisition must end: bounds its requests (see #limit). */
  readonly deadline: number;
  fence: number;
  /** Set once the lease is lost (session lost, or the znode deleted by someone else). */
  lost: LockLostError | undefined;
  /** True from the moment our own release starts: the znode's deletion is then expected. */
  releasing: boolean;
  /** True once the znode was deleted by someone else (an operator, or the server with our session). */
  gone: boolean;
  /** Stops listening to the session's loss (set while held; one listener per lease must not pile up). */
  detach: () => void;
  readonly onLost: Set<(error: LockLostError) => void>;
}

/** Deadline and abort signal of one acquisition. */
interface Wait {
  readonly started: number;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
}

const NODE_PREFIX = 'lock-';
/** Longest a clean-up request (deleting our znode after a failed acquisition) may add past the deadline. */
const CLEANUP_MS = 1000;

/**
 * {@link DistributedLock} on ZooKeeper, the seed's recipe: each contender creates an EPHEMERAL_SEQUENTIAL
 * znode under the resource's node; the lowest sequence holds the lock; every other one watches only its
 * immediate predecessor, so a release wakes exactly one waiter (no herd) and the lock is granted in
 * arrival order (FIFO). A holder that dies frees the lock when its session expires (the server deletes
 * its ephemeral znode): the session timeout plays the part of the Redis lock's TTL. Built by
 * `createZooKeeperLock`.
 *
 * Fencing: ZooKeeper is not the store, so writes to Redis are fenced by the znode's creation zxid (it only
 * grows across holders), checked against a per-resource high-water mark in Redis by the commit script
 * (see `FENCE_HIGH_WATER_MARK_PRELUDE_LUA`), and raised on every acquisition.
 *
 *   A: create lock-…-0001 ─ list: first → holds ───────── release (delete 0001)
 *   B: create lock-…-0002 ─ list: watch 0001 ─ … ─ watch fires ─ list: first → holds
 *   C: create lock-…-0003 ─ list: watch 0002 ─ … (not woken by A's release)
 *
 * The znode name carries the owner token, so after a connection loss in the middle of `create` the
 * contender can find (and delete) a znode the server created for it without telling it.
 */
export class ZooKeeperLock implements DistributedLock {
  readonly options: ResolvedZooKeeperLockOptions;
  readonly #session: ZooKeeperSession;
  readonly #redis: ScriptClient;
  /** Leases this process holds, by owner token. */
  readonly #held = new Map<string, Node>();

  constructor(session: ZooKeeperSession, redis: ScriptClient, options: ResolvedZooKeeperLockOptions) {
    this.#session = session;
    this.#redis = redis;
    this.options = options;
  }

  /** Redis key of `resource`'s fence high-water mark, and its znode. */
  keys(resource: string): { fence: string; node: string } {
    return {
      fence: `${this.options.keyPrefix}{${resource}}:zkfence`,
      node: `${this.options.root}/${encodeURIComponent(resource)}`,
    };
  }

  async tryAcquire(resource: string): Promise<Lease | null> {
    assertResource(resource);
    const now = performance.now();
    const deadline = now + this.options.operationTimeoutMs;
    const node = await this.#enter(resource, { started: now, deadline, signal: undefined }, false);
    if (!node) return null;
    return (await this.#hold(node, undefined)).lease;
  }

  async acquire(resource: string, options: AcquireOptions = {}): Promise<Lease> {
    const node = await this.#waitFor(resource, options);
    return (await this.#hold(node, undefined)).lease;
  }

  /** Acquires, then runs the reads in the same pipeline as the fence update: one Redis round trip. */
  async acquireAndRead(
    resource: string,
    reads: PipelineReads,
    options: AcquireOptions = {},
  ): Promise<{ lease: Lease; replies: unknown[] }> {
    const node = await this.#waitFor(resource, options);
    return this.#hold(node, reads);
  }

  async release(lease: Lease): Promise<boolean> {
    const node = this.#held.get(lease.token);
    if (!node) return false;
    this.#held.delete(lease.token);
    node.releasing = true;
    node.onLost.clear();
    node.detach();
    const removed = await this.#remove(node);
    return removed && node.lost === undefined;
  }

  /**
   * A ZooKeeper lease has no TTL to push back (it lasts as long as the session), so `ttlMs` is ignored:
   * this checks that the znode still exists and refreshes `expiresAt` (now + session timeout).
   */
  async extend(lease: Lease): Promise<Lease> {
    const node = this.#live(lease);
    const stat = await this.#request<Stat | null>(node.session, 'exists', lease.resource, (cb) =>
      node.session.client.exists(node.path, cb),
    );
    if (!stat) throw this.#lose(node, 'not-held');
    this.#live(lease);
    return { ...lease, expiresAt: Date.now() + node.session.timeoutMs };
  }

  using<T>(resource: string, routine: LockedRoutine<T>, options: UsingOptions = {}): Promise<T> {
    return holdZooKeeperLease(this, resource, routine, options);
  }

  /**
   * Calls `listener` once if `lease` is lost while held (session lost, znode deleted by someone else);
   * at once if it is lost already. Returns a function that stops listening.
   */
  onLost(lease: Lease, listener: (error: LockLostError) => void): () => void {
    const node = this.#held.get(lease.token);
    if (!node) {
      listener(new LockLostError(lease.resource, lease.fence, 'not-held'));
      return () => {};
    }
    if (node.lost) {
      listener(node.lost);
      return () => {};
    }
    node.onLost.add(listener);
    return () => node.onLost.delete(listener);
  }

  guard(lease: Lease): FenceGuard {
    return {
      resource: lease.resource,
      key: lease.key,
      token: lease.token,
      fence: lease.fence,
      now: Date.now(),
      scheme: 'high-water-mark',
    };
  }

  /**
   * Runs `script` under the lease: first proves locally that the lease is live (held, not lost, session
   * connected right now), then lets the script compare the fence with the resource's high-water mark.
   * Either refusal is `LockLostError`, nothing written. With `release: true` the znode is deleted after
   * the script ran (one ZooKeeper round trip; the script cannot do it).
   */
  async commit<T>(
    lease: Lease,
    script: FencedScript<T>,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options: { release?: boolean } = {},
  ): Promise<T> {
    const node = this.#live(lease);
    let reply: T;
    try {
      reply = await script.run(this.#redis, this.guard(lease), keys, args);
    } catch (error) {
      // Refused by the fence: a newer holder exists, so this lease is over.
      if (error instanceof LockLostError) throw this.#lose(node, 'not-held');
      throw error;
    }
    // Committed: a failed delete only means the znode goes with the session; it must not turn a commit
    // that happened into an error.
    if (options.release) await this.release(lease).catch(() => false);
    return reply;
  }

  /** The held node of `lease`; throws `LockLostError` unless it is held, not lost, and connected now. */
  #live(lease: Lease): Node {
    const node = this.#held.get(lease.token);
    if (!node) throw new LockLostError(lease.resource, lease.fence, 'not-held');
    if (node.lost) throw node.lost;
    // Disconnected: the server may expire the session any moment without our knowing, so holding
    // cannot be proven. Refuse (retryable); the lease is only marked lost once the timeout has passed.
    if (!node.session.connected) throw new LockLostError(lease.resource, lease.fence, 'session');
    return node;
  }

  #lose(node: Node, reason: 'not-held' | 'session', cause?: unknown): LockLostError {
    if (node.lost) return node.lost;
    node.lost = new LockLostError(node.resource, node.fence, reason, cause);
    node.detach();
    for (const listener of node.onLost) listener(node.lost);
    node.onLost.clear();
    return node.lost;
  }

  async #waitFor(resource: string, options: AcquireOptions): Promise<Node> {
    assertResource(resource);
    const waitMs = options.waitMs ?? this.options.waitMs;
    assertDuration('waitMs', waitMs, 0);
    const { signal } = options;
    if (signal?.aborted) throw new AbortError(resource, signal.reason);
    const started = performance.now();
    const node = await this.#enter(resource, { started, deadline: started + waitMs, signal }, true);
    if (!node) throw new LockTimeoutError(resource, Math.round(performance.now() - started), 1);
    return node;
  }

  /** The node now holds the lock: record its fence in Redis (with `reads` behind it), register it. */
  async #hold(node: Node, reads: PipelineReads | undefined): Promise<{ lease: Lease; replies: unknown[] }> {
    const lease: Lease = {
      resource: node.resource,
      key: this.keys(node.resource).fence,
      value: node.path,
      token: node.token,
      fence: node.fence,
      expiresAt: Date.now() + node.session.timeoutMs,
      takeover: false,
    };
    this.#held.set(node.token, node);
    const onSessionLost = () => this.#lose(node, 'session', node.session.signal.reason);
    node.session.signal.addEventListener('abort', onSessionLost, { once: true });
    node.detach = () => node.session.signal.removeEventListener('abort', onSessionLost);
    try {
      const keys = [lease.key];
      const args = [String(lease.fence), lease.expiresAt];
      const [reply, replies] = reads
        ? await raiseFence.runThen(this.#redis, keys, args, reads)
        : [await raiseFence.run(this.#redis, keys, args), []];
      try {
        checkFenceReply(reply, this.guard(lease));
      } catch {
        throw new LockFenceError(
          node.resource,
          String(node.fence),
          `lower than the fence already recorded in ${lease.key}; if the ZooKeeper ensemble was rebuilt ` +
            'from empty, delete that key',
        );
      }
      this.options.onEvent?.({
        type: 'acquired',
        resource: node.resource,
        node: node.name,
        fence: node.fence,
      });
      return { lease, replies };
    } catch (error) {
      await this.release(lease).catch(() => false);
      throw error;
    }
  }

  /**
   * Creates this contender's znode and waits until it is the lowest (`wait`), or checks once (`!wait`).
   * Resolves with the node holding the lock, or `null` (only when not waiting) with the node deleted.
   * On timeout, abort or failure the node is deleted before the error is thrown.
   */
  async #enter(resource: string, wait: Wait, waiting: boolean): Promise<Node | null> {
    const session = await this.#session.current();
    const node = await this.#create(session, resource, wait.deadline);
    try {
      // Both ride the session's connection back to back (ZooKeeper answers a session's requests in
      // order): one round trip for the fence and the first look at the queue.
      const firstList = this.#list(node);
      firstList.catch(() => {}); // awaited by #waitTurn; a failure of #readFence must not leave it unhandled
      await this.#readFence(node);
      this.options.onEvent?.({ type: 'queued', resource, node: node.name });
      const held = await this.#waitTurn(node, wait, waiting, firstList);
      if (held) return node;
      await this.#remove(node, CLEANUP_MS);
      return null;
    } catch (error) {
      node.releasing = true;
      await this.#remove(node, CLEANUP_MS).catch(() => false);
      throw error;
    }
  }

  async #create(session: SessionHandle, resource: string, deadline: number): Promise<Node> {
    const parent = this.keys(resource).node;
    const token = randomBytes(16).toString('base64url');
    const prefix = `${parent}/${NODE_PREFIX}${token}-`;
    let path: string;
    try {
      path = await this.#createChild(session, resource, parent, prefix, token, deadline);
    } catch (error) {
      // A connection loss may hide a znode the server did create for us: find it by token, delete it.
      if (error instanceof LockError && error.name === 'LockUnavailableError') {
        await this.#deleteOrphan(session, resource, parent, token);
      }
      throw error;
    }
    return {
      session,
      resource,
      path,
      name: path.slice(parent.length + 1),
      token,
      deadline,
      fence: 0,
      lost: undefined,
      releasing: false,
      gone: false,
      detach: () => {},
      onLost: new Set(),
    };
  }

  /** The znode's stat gives the fence (czxid); the watch reports a deletion we did not ask for. */
  async #readFence(node: Node): Promise<void> {
    const { session, resource, path, token } = node;
    const stat = await this.#request<Stat | null>(
      session,
      'exists',
      resource,
      (cb) =>
        session.client.exists(
          path,
          () => {
            if (node.releasing) return;
            node.gone = true;
            if (this.#held.get(token) === node) this.#lose(node, 'not-held');
          },
          cb,
        ),
      this.#limit(node.deadline),
    );
    if (!stat) throw new LockLostError(resource, 0, 'session');
    node.fence = czxidToFence(resource, stat.czxid);
  }

  async #createChild(
    session: SessionHandle,
    resource: string,
    parent: string,
    prefix: string,
    token: string,
    deadline: number,
  ): Promise<string> {
    const create = () =>
      this.#request<string>(
        session,
        'create',
        resource,
        (cb) => session.client.create(prefix, Buffer.from(token), CreateMode.EPHEMERAL_SEQUENTIAL, cb),
        this.#limit(deadline),
      );
    try {
      return await create();
    } catch (error) {
      if (!hasZkCode(error, Exception.NO_NODE)) throw error;
      // First lock on this resource (or the root): create the persistent parents, then try again.
      await this.#request<string>(
        session,
        'mkdirp',
        resource,
        (cb) => session.client.mkdirp(parent, cb),
        this.#limit(deadline),
      );
      return create();
    }
  }

  async #deleteOrphan(
    session: SessionHandle,
    resource: string,
    parent: string,
    token: string,
  ): Promise<void> {
    try {
      const children = await this.#request<string[]>(
        session,
        'getChildren',
        resource,
        (cb) => session.client.getChildren(parent, cb),
        CLEANUP_MS,
      );
      const orphan = children.find((name) => name.startsWith(`${NODE_PREFIX}${token}-`));
      if (orphan) {
        await this.#request<void>(
          session,
          'remove',
          resource,
          (cb) => session.client.remove(`${parent}/${orphan}`, -1, (error) => cb(error, undefined)),
          CLEANUP_MS,
        );
      }
    } catch {
      // Still unreachable: the znode, if any, goes with the session.
    }
  }

  /**
   * The recipe's loop: list the children; the lowest holds; otherwise watch the immediate predecessor and
   * wait for its deletion, then list again (a predecessor that gave up does not mean we are first), unless
   * the predecessor was the lowest. A predecessor that vanished between the list and the watch (`exists`
   * finds nothing) means: list again.
   */
  async #waitTurn(node: Node, wait: Wait, waiting: boolean, firstList: Promise<string[]>): Promise<boolean> {
    const { session, resource } = node;
    const parent = this.keys(resource).node;
    for (let lists = 1; ; lists++) {
      if (wait.signal?.aborted) throw new AbortError(resource, wait.signal.reason);
      const queue = await (lists === 1 ? firstList : this.#list(node));
      const index = queue.indexOf(node.name);
      // Our ephemeral znode is gone: the session that created it was lost.
      if (index < 0) throw new LockLostError(resource, node.fence, 'session');
      if (index === 0) return true;
      if (!waiting) return false;
      const predecessor = queue[index - 1] as string;
      let fired: () => void = () => {};
      let abandoned = false;
      const deleted = new Promise<void>((resolve) => {
        fired = resolve;
      });
      const stat = await this.#request<Stat | null>(
        session,
        'exists',
        resource,
        (cb) =>
          session.client.exists(
            `${parent}/${predecessor}`,
            () => {
              if (abandoned) return;
              this.options.onEvent?.({ type: 'watch-fired', resource, node: node.name, predecessor });
              fired();
            },
            cb,
          ),
        this.#limit(wait.deadline),
      );
      if (!stat) continue;
      try {
        const outcome = await waitUntil(resource, deleted, wait, session.signal);
        if (outcome === 'deadline') {
          throw new LockTimeoutError(resource, Math.round(performance.now() - wait.started), lists);
        }
      } catch (error) {
        abandoned = true;
        throw error;
      }
      // The predecessor was the lowest znode, and a znode created since has a higher sequence than ours:
      // with it gone we are the lowest, no need to list again (one round trip less per handoff).
      if (index === 1) {
        if (node.gone) throw new LockLostError(resource, node.fence, 'not-held');
        return true;
      }
    }
  }

  /** The lock znodes under `node`'s resource, lowest sequence first. */
  async #list(node: Node): Promise<string[]> {
    const { session, resource } = node;
    const children = await this.#request<string[]>(
      session,
      'getChildren',
      resource,
      (cb) => session.client.getChildren(this.keys(resource).node, cb),
      this.#limit(node.deadline),
    );
    return children.filter((name) => name.startsWith(NODE_PREFIX)).sort(bySequence);
  }

  /** Deletes the node (version -1: whatever its data). Resolves `true` if it existed and is now gone. */
  async #remove(node: Node, timeoutMs = this.options.operationTimeoutMs): Promise<boolean> {
    node.releasing = true;
    if (node.session.signal.aborted) return false;
    try {
      await this.#request<void>(
        node.session,
        'remove',
        node.resource,
        (cb) => node.session.client.remove(node.path, -1, (error) => cb(error, undefined)),
        timeoutMs,
      );
      return true;
    } catch (error) {
      if (hasZkCode(error, Exception.NO_NODE)) return false;
      if (error instanceof LockLostError) return false;
      throw error;
    }
  }

  #request<T>(
    session: SessionHandle,
    operation: string,
    resource: string,
    start: (callback: (error: Error | Exception | null, result: T) => void) => void,
    timeoutMs = this.options.operationTimeoutMs,
  ): Promise<T> {
    return zkRequest(session, operation, resource, timeoutMs, start);
  }

  /**
   * Timeout of a request made while acquiring: the operation timeout, but no later than the acquisition's
   * deadline (at least 100 ms, so a request sent just before the deadline can still be answered).
   */
  #limit(deadline: number): number {
    return Math.min(this.options.operationTimeoutMs, Math.max(100, Math.ceil(deadline - performance.now())));
  }
}

/** Orders znode names by their 10-digit sequence suffix (the token before it is random). */
function bySequence(a: string, b: string): number {
  return Number(a.slice(-10)) - Number(b.slice(-10));
}

/**
 * Waits for `event`, the deadline, the caller's abort, or the session's loss. Resolves `'event'` or
 * `'deadline'`; rejects with `AbortError` or `LockLostError('session')`.
 */
function waitUntil(
  resource: string,
  event: Promise<void>,
  wait: Wait,
  session: AbortSignal,
): Promise<'event' | 'deadline'> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      wait.signal?.removeEventListener('abort', onAbort);
      session.removeEventListener('abort', onSessionLost);
    };
    const onAbort = () => {
      done();
      reject(new AbortError(resource, wait.signal?.reason));
    };
    const onSessionLost = () => {
      done();
      reject(new LockLostError(resource, 0, 'session', session.reason));
    };
    const timer = setTimeout(
      () => {
        done();
        resolve('deadline');
      },
      Math.max(0, wait.deadline - performance.now()),
    );
    wait.signal?.addEventListener('abort', onAbort, { once: true });
    session.addEventListener('abort', onSessionLost, { once: true });
    event.then(() => {
      done();
      resolve('event');
    });
  });
}
