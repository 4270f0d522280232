import { randomBytes } from 'node:crypto';
import { abandonWait } from './abandonWait.ts';
import type { AcquireReply } from './acquireAttempt.ts';
import { type AcquireAttempt, acquireArgs, decodeAcquireReply } from './acquireAttempt.ts';
import { acquireGetset } from './acquireGetset.ts';
import { acquireSetNxPx } from './acquireSetNxPx.ts';
import { backoffDelay } from './backoff.ts';
import type { PipelineReads, Script, ScriptArg, ScriptClient } from './createScript.ts';
import type {
  AcquireOptions,
  DistributedLock,
  Lease,
  LockedRoutine,
  UsingOptions,
} from './DistributedLock.ts';
import { AbortError, isRetryableError, LockLostError, LockTimeoutError, LockValueError } from './errors.ts';
import { extendLease } from './extendLease.ts';
import type { FencedScript, FenceGuard, Successor } from './fencedScript.ts';
import { holdLease } from './holdLease.ts';
import { assertDuration, assertResource, type ResolvedLockOptions } from './lockOptions.ts';
import { ResourceQueue } from './ResourceQueue.ts';
import { HANDOVER, type Handover, releaseLease } from './releaseLease.ts';
import { type SubscriberSource, WakeUps } from './WakeUps.ts';

/**
 * The ioredis client (single node or cluster) the lock needs: it runs scripts, and, for `handoff:
 * 'notify'`, opens a subscriber connection of its own (`duplicate()`).
 */
export type LockRedisClient = ScriptClient & Partial<SubscriberSource>;

const STRATEGY_SCRIPTS: Record<ResolvedLockOptions['strategy'], Script<AcquireReply>> = {
  getset: acquireGetset,
  'set-nx-px': acquireSetNxPx,
};

/** One attempt's outcome, with when it was sent and the replies of the reads that rode with it. */
type AttemptResult = Exclude<AcquireAttempt, { kind: 'foreign' }> & { sentAt: number; replies: unknown[] };

/** {@link DistributedLock} on one Redis deployment; built by `createRedisLock`. */
export class RedisLock implements DistributedLock {
  readonly options: ResolvedLockOptions;
  readonly #redis: LockRedisClient;
  readonly #acquireScript: Script<AcquireReply>;
  /** Key expiry: the ttl itself for set-nx-px; for getset a garbage-collection expiry well past takeover. */
  readonly #keyExpiryMs: (ttlMs: number) => number;
  /**
   * performance.now() by which each lease ends at the latest, measured from before its request was sent,
   * so this process never believes in a lease longer than the server does (whatever the clocks say).
   */
  readonly #localDeadlines = new WeakMap<Lease, number>();
  /** Per-resource FIFO of this process's waiters (see ResourceQueue); dropped when idle. */
  readonly #queues = new Map<string, ResourceQueue>();
  /** This instance's wake-up channel (`handoff: 'notify'`), or undefined when waiters poll. */
  readonly #wakeUps: WakeUps | undefined;
  /** How long a place in a resource's wait list lasts unless renewed, ms. */
  readonly #registrationMs: number;

  constructor(redis: LockRedisClient, options: ResolvedLockOptions) {
    this.#redis = redis;
    const canNotify = typeof redis.duplicate === 'function' && typeof redis.once === 'function';
    const handoff = options.handoff ?? (canNotify ? 'notify' : 'poll');
    this.options = { ...options, handoff };
    this.#wakeUps =
      handoff === 'notify' && canNotify
        ? new WakeUps(redis as SubscriberSource, options.keyPrefix)
        : undefined;
    // Long enough for a waiter to renew it between two of its own attempts, with room for a slow one.
    this.#registrationMs = 4 * Math.max(options.wakeFallbackMs, options.maxDelayMs);
    this.#acquireScript = STRATEGY_SCRIPTS[options.strategy];
    this.#keyExpiryMs =
      options.strategy === 'set-nx-px' ? (ttl) => ttl : (ttl) => 2 * (ttl + options.driftMs) + 1000;
  }

  /** Lock, fence and wait-list keys of `resource`; all carry the hash tag `{resource}`. */
  keys(resource: string): { lock: string; fence: string; waitList: string; waiters: string } {
    const base = `${this.options.keyPrefix}{${resource}}`;
    return {
      lock: `${base}:lock`,
      fence: `${base}:fence`,
      waitList: `${base}:lock-queue`,
      waiters: `${base}:lock-waiters`,
    };
  }

  async tryAcquire(resource: string): Promise<Lease | null> {
    assertResource(resource);
    const token = newToken();
    const attempt = await this.#attempt(resource, token, undefined, false);
    return attempt.kind === 'acquired' ? this.#lease(resource, token, attempt) : null;
  }

  async acquire(resource: string, options: AcquireOptions = {}): Promise<Lease> {
    return (await this.#acquire(resource, options, undefined)).lease;
  }

  acquireAndRead(
    resource: string,
    reads: PipelineReads,
    options: AcquireOptions = {},
  ): Promise<{ lease: Lease; replies: unknown[] }> {
    return this.#acquire(resource, options, reads);
  }

  async #acquire(
    resource: string,
    options: AcquireOptions,
    reads: PipelineReads | undefined,
  ): Promise<{ lease: Lease; replies: unknown[] }> {
    assertResource(resource);
    const waitMs = options.waitMs ?? this.options.waitMs;
    assertDuration('waitMs', waitMs, 0);
    const { signal } = options;
    if (signal?.aborted) throw new AbortError(resource, signal.reason);
    const started = performance.now();
    const deadline = started + waitMs;
    const queue = this.#queue(resource);
    try {
      await queue.enter(deadline, started, signal);
    } catch (error) {
      this.#dropIfIdle(resource, queue);
      throw error;
    }
    try {
      return await this.#acquireAsHead(resource, queue, { deadline, started, signal, reads });
    } finally {
      queue.leave();
      this.#dropIfIdle(resource, queue);
    }
  }

  /**
   * The head of this process's queue: wait out a local holder, else try in Redis, in line behind earlier
   * waiters of every process. With `handoff: 'notify'` it sleeps until the releaser wakes it (or
   * `wakeFallbackMs`, or the holder's expiry, whichever comes first); with `'poll'`, a full-jitter backoff.
   * One token for every attempt, so an attempt that won but whose reply was lost is recognised as this
   * waiter's own by the next one (transport errors are retried until the deadline). On giving up, it leaves
   * the line and frees anything such an attempt may have won.
   */
  async #acquireAsHead(
    resource: string,
    queue: ResourceQueue,
    wait: {
      deadline: number;
      started: number;
      signal: AbortSignal | undefined;
      reads: PipelineReads | undefined;
    },
  ): Promise<{ lease: Lease; replies: unknown[] }> {
    const { deadline, started, signal, reads } = wait;
    const token = newToken();
    const wakeUps = this.#wakeUps;
    wakeUps?.listen(token, () => queue.wake());
    /** When the first attempt whose outcome is unknown was sent (it may have won the lock then). */
    let unknownSince: number | undefined;
    let inLine = false;
    try {
      for (let attempts = 1; ; attempts++) {
        if (signal?.aborted) throw new AbortError(resource, signal.reason);
        const now = performance.now();
        if (queue.holder && queue.holder.until > now) {
          // This process holds the lock: no point asking Redis until that lease is released or runs out;
          // the release puts this waiter in line itself.
          if (deadline <= now) throw new LockTimeoutError(resource, Math.round(now - started), attempts - 1);
          // Subscribe now, so that the release can give our channel when it puts us in line: a waiter that
          // only ever waits behind local holders would otherwise never subscribe, and every hand-over to it
          // from another process would wait for its fallback (measured: 250 ms per hand-over).
          if (wakeUps && !wakeUps.ready) void wakeUps.subscribe();
          queue.successor = token;
          try {
            await queue.nap(Math.min(queue.holder.until, deadline) - now, signal);
          } finally {
            queue.successor = undefined;
          }
          const handover = queue.handover;
          queue.handover = undefined;
          if (handover === 'remote' || handover === 'successor') inLine = true;
          if (handover === 'remote') {
            // An earlier waiter elsewhere goes first: wait to be woken (or to try on our own); without a live
            // subscription the release could not give our channel, so poll instead.
            const { minDelayMs, maxDelayMs, wakeFallbackMs } = this.options;
            const napMs = wakeUps?.ready ? wakeFallbackMs : backoffDelay(0, minDelayMs, maxDelayMs);
            await queue.nap(Math.min(napMs, deadline - performance.now()), signal);
          }
          attempts--;
          continue;
        }
        queue.holder = undefined;
        let attempt: AttemptResult;
        try {
          attempt = await this.#attempt(resource, token, reads, true);
        } catch (error) {
          // A transport failure may hide a win: try again with the same token, which the script recognises.
          if (!isRetryableError(error) || deadline - performance.now() <= 0) throw error;
          unknownSince ??= now;
          inLine = true;
          await queue.nap(Math.min(backoffDelay(attempts - 1, 1, 100), deadline - performance.now()), signal);
          continue;
        }
        if (attempt.kind === 'acquired') {
          if (unknownSince !== undefined) attempt.sentAt = Math.min(attempt.sentAt, unknownSince);
          inLine = false;
          return { lease: this.#lease(resource, token, attempt), replies: attempt.replies };
        }
        inLine = true;
        unknownSince = undefined;
        const left = deadline - performance.now();
        if (left <= 0)
          throw new LockTimeoutError(resource, Math.round(performance.now() - started), attempts);
        if (wakeUps && !wakeUps.ready) {
          // The first wait of this instance: subscribe, then try again at once, so that a release between
          // this attempt and the subscription is not missed.
          if (await wakeUps.subscribe()) continue;
        }
        const { minDelayMs, maxDelayMs, wakeFallbackMs } = this.options;
        const sleep = wakeUps?.ready
          ? Math.min(attempt.retryInMs, wakeFallbackMs)
          : Math.min(backoffDelay(attempts - 1, minDelayMs, maxDelayMs), attempt.retryInMs);
        await queue.nap(Math.min(sleep, left), signal);
      }
    } catch (error) {
      if (inLine) this.#abandon(resource, token);
      throw error;
    } finally {
      wakeUps?.forget(token);
    }
  }

  /** Leaves the line, freeing the lock if an attempt with `token` won it unseen (best effort). */
  #abandon(resource: string, token: string): void {
    const { lock, waitList, waiters } = this.keys(resource);
    abandonWait.run(this.#redis, [lock, waitList, waiters], [token]).catch(() => {
      // Redis unreachable: the place in line lapses after its registration, a won lock after its ttl.
    });
  }

  async release(lease: Lease): Promise<boolean> {
    const { waitList, waiters } = this.keys(lease.resource);
    const successor = this.#successorOf(lease.resource);
    let handover: Handover | undefined;
    try {
      const code = await releaseLease.run(
        this.#redis,
        [lease.key, waitList, waiters],
        [
          lease.token,
          successor?.token ?? '',
          successor?.registrationMs ?? 0,
          successor?.channel ?? '',
          this.#now(),
        ],
      );
      handover = unnotified(HANDOVER[code], successor);
      return code > 0;
    } finally {
      this.#forget(lease, handover);
    }
  }

  async commit<T>(
    lease: Lease,
    script: FencedScript<T>,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options: { release?: boolean } = {},
  ): Promise<T> {
    try {
      if (!options.release) return await script.run(this.#redis, this.guard(lease), keys, args);
      const { waitList, waiters } = this.keys(lease.resource);
      const guard = { ...this.guard(lease), waitList: [waitList, waiters] as const };
      const successor = this.#successorOf(lease.resource);
      const { result, handover } = await script.runAndHandOver(this.#redis, guard, keys, args, successor);
      // Waiters of this process are woken only once the release has happened, not as soon as it is sent:
      // queueing their attempt right behind it on the same connection measured no faster (6.9k against
      // 7.3k ops/s at 128 in flight on one hot key) and costs a failed attempt whenever someone else is first.
      this.#forget(lease, unnotified(handover, successor));
      return result;
    } catch (error) {
      // Refused because the lease is gone: this process no longer holds the lock either.
      if (error instanceof LockLostError) this.#forget(lease);
      throw error;
    }
  }

  /**
   * This process no longer holds `lease`: wake the next local waiter at once, telling it what the release
   * did with the line (`'remote'`: it is in line behind someone elsewhere, and waits to be woken).
   */
  #forget(lease: Lease, handover?: Handover): void {
    const queue = this.#queues.get(lease.resource);
    if (queue?.holder?.token !== lease.token) return;
    queue.holder = undefined;
    queue.handover = handover;
    queue.wake();
    this.#dropIfIdle(lease.resource, queue);
  }

  /** This process's next waiter on `resource`, for a release to put in line. */
  #successorOf(resource: string): Successor | undefined {
    const token = this.#queues.get(resource)?.successor;
    if (!token) return undefined;
    return {
      token,
      registrationMs: this.#registrationMs,
      channel: this.#wakeUps?.ready ? this.#wakeUps.channel : '',
    };
  }

  async extend(lease: Lease, ttlMs: number = this.options.ttlMs): Promise<Lease> {
    assertDuration('ttlMs', ttlMs, 1);
    const sentAt = performance.now();
    const reply = await extendLease.run(
      this.#redis,
      [lease.key],
      [lease.token, ttlMs, this.#now(), this.#keyExpiryMs(ttlMs)],
    );
    if (reply[0] !== 1) {
      this.#forget(lease);
      throw new LockLostError(lease.resource, lease.fence, reply[0] === -2 ? 'expired' : 'not-held');
    }
    const extended: Lease = { ...lease, value: reply[1], expiresAt: Number(reply[2]) };
    this.#localDeadlines.set(extended, sentAt + ttlMs);
    const holder = this.#queues.get(lease.resource)?.holder;
    if (holder?.token === lease.token) holder.until = sentAt + ttlMs;
    return extended;
  }

  using<T>(resource: string, routine: LockedRoutine<T>, options: UsingOptions = {}): Promise<T> {
    return holdLease(this, resource, routine, options);
  }

  /**
   * performance.now() value after which `lease` is certainly over, or `undefined` for a lease this
   * instance did not issue.
   */
  localDeadline(lease: Lease): number | undefined {
    return this.#localDeadlines.get(lease);
  }

  guard(lease: Lease): FenceGuard {
    const { waitList, waiters } = this.keys(lease.resource);
    return {
      resource: lease.resource,
      key: lease.key,
      token: lease.token,
      fence: lease.fence,
      now: this.#now(),
      waitList: [waitList, waiters],
    };
  }

  #queue(resource: string): ResourceQueue {
    let queue = this.#queues.get(resource);
    if (!queue) {
      queue = new ResourceQueue(resource);
      this.#queues.set(resource, queue);
    }
    return queue;
  }

  #dropIfIdle(resource: string, queue: ResourceQueue): void {
    if (queue.idle && this.#queues.get(resource) === queue) this.#queues.delete(resource);
  }

  /** Epoch ms by the configured clock; -1 asks the script to read Redis `TIME`. */
  #now(): number {
    return this.options.clock === 'redis' ? -1 : this.options.now();
  }

  async #attempt(
    resource: string,
    token: string,
    reads: PipelineReads | undefined,
    wait: boolean,
  ): Promise<AttemptResult> {
    const { lock, fence, waitList, waiters } = this.keys(resource);
    const { ttlMs, driftMs } = this.options;
    const keys = [lock, fence, waitList, waiters];
    const args = acquireArgs(token, ttlMs, driftMs, this.#now(), this.#keyExpiryMs(ttlMs), {
      wait,
      registrationMs: this.#registrationMs,
      channel: this.#wakeUps?.ready ? this.#wakeUps.channel : '',
    });
    const sentAt = performance.now();
    const [reply, replies] = reads
      ? await this.#acquireScript.runThen(this.#redis, keys, args, reads)
      : [await this.#acquireScript.run(this.#redis, keys, args), []];
    const attempt = decodeAcquireReply(reply);
    if (attempt.kind === 'foreign') throw new LockValueError(resource, lock);
    return { ...attempt, sentAt, replies };
  }

  #lease(
    resource: string,
    token: string,
    attempt: AcquireAttempt & { kind: 'acquired'; sentAt: number },
  ): Lease {
    const lease: Lease = {
      resource,
      key: this.keys(resource).lock,
      value: attempt.value,
      token,
      fence: Number(attempt.fence),
      expiresAt: Number(attempt.expiresAt),
      takeover: attempt.takeover,
    };
    const until = attempt.sentAt + this.options.ttlMs;
    this.#localDeadlines.set(lease, until);
    this.#queue(resource).holder = { token, until };
    return lease;
  }
}

/**
 * What the local successor learns of a hand-over: `'remote'` (in line behind someone elsewhere: wait to be
 * woken) only when the release could give its wake-up channel; else nothing, so it asks Redis at once and
 * joins the line with its channel then.
 */
function unnotified(handover: Handover | undefined, successor: Successor | undefined): Handover | undefined {
  return handover === 'remote' && !successor?.channel ? undefined : handover;
}

/** 128 random bits, base64url (22 characters, no ':' so the lock value stays parseable). */
function newToken(): string {
  return randomBytes(16).toString('base64url');
}
