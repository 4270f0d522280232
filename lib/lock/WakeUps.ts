import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A client that can open a connection of its own for pub/sub (an ioredis `Redis` or `Cluster`). */
export type SubscriberSource = Pick<Redis, 'duplicate' | 'once'> | Pick<Cluster, 'duplicate' | 'once'>;

/** How long {@link WakeUps.ready} waits for the subscription before waiters fall back to polling. @defaultValue 1000 */
const SUBSCRIBE_TIMEOUT_MS = 1000;

/**
 * This process's wake-up channel: a releaser publishes a waiter's token on the channel that waiter gave
 * when it joined the line (see waitListLua), and the waiter tries again at once instead of sleeping out
 * its poll. One subscriber connection per lock instance (opened on the first wait, closed when the main
 * client ends), one channel for every resource it waits on. A lost message (a reconnect, a dropped
 * connection) only delays a waiter until its next own attempt.
 */
export class WakeUps {
  /** `<keyPrefix>lock-wake:<random id>`: unique to this lock instance. */
  readonly channel: string;
  readonly #source: SubscriberSource;
  readonly #waiters = new Map<string, () => void>();
  #subscriber: Redis | Cluster | undefined;
  #subscribed: Promise<boolean> | undefined;
  #ready = false;

  constructor(source: SubscriberSource, keyPrefix: string) {
    this.#source = source;
    this.channel = `${keyPrefix}lock-wake:${randomBytes(9).toString('base64url')}`;
    source.once('end', () => this.close());
  }

  /** True once the subscription is live: only then may a waiter rely on being woken. */
  get ready(): boolean {
    return this.#ready;
  }

  /**
   * Subscribes (once), resolving true when the subscription is live, false if it could not be made within
   * a second or is down meanwhile (the connection dropped; ioredis reconnects and resubscribes by
   * itself): the waiter then polls, and the next wait asks again.
   */
  subscribe(): Promise<boolean> {
    if (this.#subscribed) return this.#subscribed.then((ok) => ok && this.#ready);
    const subscriber = this.#source.duplicate() as Redis | Cluster;
    this.#subscriber = subscriber;
    subscriber.on('error', () => {}); // reconnects by itself; a wake-up missed meanwhile costs a poll
    subscriber.on('message', (channel: string, token: string) => {
      if (channel === this.channel) this.#waiters.get(token)?.();
    });
    // ioredis resubscribes after a reconnect; until then waiters poll. A wake-up may have been lost with
    // the connection: every waiter tries again now rather than at its fallback.
    subscriber.on('close', () => {
      this.#ready = false;
      for (const wake of this.#waiters.values()) wake();
    });
    subscriber.on('ready', () => {
      if (this.#subscribed) void this.#confirm(subscriber);
    });
    this.#subscribed = this.#confirm(subscriber).then((ok) => {
      if (!ok) this.#subscribed = undefined;
      return ok;
    });
    return this.#subscribed;
  }

  async #confirm(subscriber: Redis | Cluster): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), SUBSCRIBE_TIMEOUT_MS);
    });
    try {
      const ok = await Promise.race([subscriber.subscribe(this.channel).then(() => true), timeout]);
      this.#ready = ok;
      return ok;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls `wake` when a releaser publishes `token`, until {@link forget}. */
  listen(token: string, wake: () => void): void {
    this.#waiters.set(token, wake);
  }

  forget(token: string): void {
    this.#waiters.delete(token);
  }

  /** Closes the subscriber connection (the main client ended). */
  close(): void {
    this.#ready = false;
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
    this.#subscribed = undefined;
  }
}
