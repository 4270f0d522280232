import type { Redis } from 'ioredis';

/** What a contender's worker process is given: its own Redis connection and where the servers are. */
export interface ContenderContext {
  /** A connection of this worker, shared by the contender and the counter reads and writes. */
  readonly redis: Redis;
  readonly redisUrl: string;
  /** `host:port` of the ZooKeeper server, when the bench started one. */
  readonly zookeeperConnect?: string;
}

/** One acquisition, as the bench drives it. */
export interface Held {
  /** Writes the counter under the lock: a fenced write when the backend has one, a plain SET otherwise. */
  write(key: string, value: number): Promise<void>;
  release(): Promise<void>;
}

/** A lock (or the lock-free baseline) opened in one worker process. */
export interface OpenContender {
  /**
   * Takes the lock on `resource` for `ttlMs`, waiting as long as the backend's own settings say; rejects
   * when it gives up (the bench counts a failure, or asks again when measuring crash recovery).
   */
  acquire(resource: string, ttlMs: number): Promise<Held>;
  /**
   * The whole locked increment of `counterKey` (acquire, read, write, release) when the backend has a
   * faster form than the four steps; resolves with the acquire wait in ms (`undefined`: no lock, no wait).
   */
  increment?(resource: string, counterKey: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * A contender of `npm run bench:lock` and `bench:crash`: a small self-contained adapter over one lock
 * library or backend. Adding a backend means adding one of these to `contenders/index.ts`.
 */
export interface LockContender {
  /** Row label, unique: `getset`, `redlock (tuned)`, … */
  readonly name: string;
  /** `lock-free` is the baseline every ratio is taken to; `ours` are this project's strategies. */
  readonly group: 'baseline' | 'ours' | 'library';
  /** What `acquire` waits on: Redis, or ZooKeeper (its Redis commands per op are the counter's only). */
  readonly backend: 'redis' | 'zookeeper';
  /** Settings worth printing next to the numbers (retry delays, TTL handling). */
  readonly settings: string;
  /**
   * Upper bound on the time from a holder's SIGKILL to the next acquisition, for a lease of `ttlMs`,
   * when the contender promises one (the bench checks measured recovery against it).
   */
  recoveryBoundMs?(ttlMs: number): number;
  /** Whether `bench:crash` measures it (the lock-free baseline has no holder to kill). */
  readonly crashable: boolean;
  open(context: ContenderContext): OpenContender | Promise<OpenContender>;
}
