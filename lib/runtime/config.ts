import { LOCK_BACKENDS, type LockBackendOptions } from '../lock/index.ts';
import { MAX_AMOUNT, type RedPacketsOptions } from '../packets/index.ts';
import * as z from '../z.ts';
import { CLUSTER_SEEDS_PATTERN, REDIS_URL_PATTERN } from './redisClient.ts';

/** A required setting is missing or malformed. Permanent: fix the deployment. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * What `LOCK_WAIT_MS` must leave beyond the takeover time: the first waiter is woken at the takeover
 * (it sleeps until the holder's expiry, or is told of a release), so this covers scheduling and the
 * hand-overs to the waiters queued behind it (measured: 8 waiters in 4 processes all held the lock within
 * ttl + drift + 80 ms of a SIGKILLed holder's acquisition, in liveness.test.ts).
 */
export const LOCK_TAKEOVER_MARGIN_MS = 500;

/** An integer setting from `min` to `max` (environment values are strings), `fallback` when unset. */
const intSetting = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

const settingsSchema = z.object({
  /**
   * Redis (ElastiCache / Valkey / MemoryDB): a `redis://host:6379` or `rediss://` URL; with `REDIS_MODE`
   * `cluster`, one or more comma-separated seed nodes.
   */
  REDIS_URL: z.string().check(z.minLength(1)),
  /** `standalone` (one node, or a primary with replicas) or `cluster`. @defaultValue `'standalone'` */
  REDIS_MODE: z._default(z.enum(['standalone', 'cluster']), 'standalone'),
  /**
   * Replicas that must confirm (`WAIT`) a commit, a recorded claim or a recorded batch before it is
   * acknowledged. 0 for a single node with AOF or a store durable on its own (MemoryDB). @defaultValue 0
   */
  REDIS_MIN_REPLICAS: intSetting(0, 5, 0),
  /** Longest `WAIT` for those replicas, ms. @defaultValue 500 */
  REDIS_WAIT_TIMEOUT_MS: intSetting(1, 10_000, 500),
  /** URL of the claims queue. */
  CLAIMS_QUEUE_URL: z.url(),
  /**
   * Deployment stage, required (no default: a missing stage must not fall back to the local one). Only
   * `local` under serverless-offline (`IS_OFFLINE`) honours the `x-user-id` / `x-operator-id` headers.
   */
  STAGE: z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'must be 1-32 of a-z, 0-9 and -')),
  /** Set to `true` by serverless-offline; never set on Lambda. */
  IS_OFFLINE: z.optional(z.enum(['true', 'false'])),
  /**
   * Secrets Manager secret (ARN or name) holding the Redis credentials: a JSON object
   * `{"username"?, "password"}` (an ElastiCache RBAC user) or the password alone. Read once per container,
   * at cold start. Deployed stages take credentials only from here, never from `REDIS_URL`.
   */
  REDIS_SECRET_ID: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  /** Secrets Manager endpoint override (moto, LocalStack); unset on AWS. */
  SECRETS_MANAGER_ENDPOINT: z.optional(z.url()),
  /** SQS endpoint override (LocalStack, fauxqs, ElasticMQ); unset on AWS. */
  SQS_ENDPOINT: z.optional(z.url()),
  /** @defaultValue `'us-east-1'` */
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /**
   * Longest a consumer waits for one packet's lock before handing its records back to SQS (retried after
   * the visibility timeout), so one hot packet cannot hold a whole batch until the function times out.
   * At least the takeover time plus {@link LOCK_TAKEOVER_MARGIN_MS} (`LOCK_TTL_MS + LOCK_DRIFT_MS`, or the
   * ZooKeeper session timeout), so the waiters of a packet whose holder crashed do not give up just before
   * they could take it over. @defaultValue 8000
   */
  LOCK_WAIT_MS: intSetting(0, 900_000, 8000),
  /**
   * Lease length of the Redis packet lock, ms: a crashed consumer holds its packet at most
   * `LOCK_TTL_MS + LOCK_DRIFT_MS`; a live one never reaches it (a commit takes milliseconds). @defaultValue 5000
   */
  LOCK_TTL_MS: intSetting(100, 300_000, 5000),
  /** Clock-drift margin of the Redis lock: an expired lease is taken over only this long after. @defaultValue 100 */
  LOCK_DRIFT_MS: intSetting(0, 60_000, 100),
  /**
   * Whose clock stamps and judges the Redis lock's expiry: `redis` (`TIME` inside the scripts: one clock
   * for every consumer, so a container whose clock is off can neither steal a lease nor hold a crashed one
   * longer) or `local` (each consumer's `Date.now()`, skew covered only by `LOCK_DRIFT_MS`).
   * @defaultValue `'redis'` (README "Waiting and hand-over": a crashed holder whose clock ran 2 s ahead blocked
   * a 1 s lease 3.1 s with `local`, 1.1 s with `redis`)
   */
  LOCK_CLOCK: z._default(z.enum(['local', 'redis']), 'redis'),
  /**
   * How long an accepted claim or batch row may wait for its send to be confirmed before the sweeper sends
   * its message again (ms). Above the functions' 10 s timeout, so a live request is never raced.
   * @defaultValue 30000
   */
  RESEND_AFTER_MS: intSetting(100, 3_600_000, 30_000),
  /** Most packets one sender may have unsettled at once (0: no limit). @defaultValue 100 */
  MAX_OPEN_PACKETS_PER_SENDER: intSetting(0, 1_000_000, 100),
  /** Most one packet may hold, in minor units. @defaultValue 10^12 */
  MAX_PACKET_AMOUNT: intSetting(1, MAX_AMOUNT, MAX_AMOUNT),
  /**
   * Days a settled packet's keys stay in Redis (the window to export its ledger); then they expire.
   * @defaultValue 30
   */
  PACKET_RETENTION_DAYS: z._default(z.coerce.number().check(z.minimum(0.0001), z.maximum(3650)), 30),
  /**
   * The packet lock for the whole pipeline: `redis-getset` (timestamp + GETSET), `redis-setnx`
   * (`SET NX PX`) or `zookeeper` (ephemeral sequential znodes, fenced in Redis).
   * @defaultValue `'redis-getset'`
   */
  LOCK_BACKEND: z._default(z.enum(LOCK_BACKENDS), 'redis-getset'),
  /**
   * ZooKeeper connect string with a chroot, e.g. `127.0.0.1:2181/red-packets` (created when missing).
   * Required when `LOCK_BACKEND` is `zookeeper`.
   */
  ZOOKEEPER_CONNECT: z.optional(
    z
      .string()
      .check(z.regex(/^[^\s/,]+:\d+(,[^\s/,]+:\d+)*(\/\S*)?$/, 'must be host:port[,host:port...][/chroot]')),
  ),
  /**
   * ZooKeeper session timeout in ms: how long a crashed consumer keeps its packets locked.
   * @defaultValue 6000
   */
  ZOOKEEPER_SESSION_TIMEOUT_MS: intSetting(1000, 60_000, 6000),
});

const configSchema = settingsSchema.check(
  z.superRefine((config, ctx) => {
    const pattern = config.REDIS_MODE === 'cluster' ? CLUSTER_SEEDS_PATTERN : REDIS_URL_PATTERN;
    if (!pattern.test(config.REDIS_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message:
          config.REDIS_MODE === 'cluster'
            ? 'must be comma-separated seed nodes (redis://host:port or host:port)'
            : 'must be a redis:// or rediss:// URL',
      });
    }
    if (config.STAGE !== 'local' && hasCredentials(config.REDIS_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'must not carry a user or password on a deployed stage: put them in REDIS_SECRET_ID',
      });
    }
    const takeoverMs =
      config.LOCK_BACKEND === 'zookeeper'
        ? config.ZOOKEEPER_SESSION_TIMEOUT_MS
        : config.LOCK_TTL_MS + config.LOCK_DRIFT_MS;
    if (config.LOCK_WAIT_MS < takeoverMs + LOCK_TAKEOVER_MARGIN_MS) {
      const takeover =
        config.LOCK_BACKEND === 'zookeeper' ? 'ZOOKEEPER_SESSION_TIMEOUT_MS' : 'LOCK_TTL_MS + LOCK_DRIFT_MS';
      ctx.addIssue({
        code: 'custom',
        path: ['LOCK_WAIT_MS'],
        message:
          `must be at least ${takeoverMs + LOCK_TAKEOVER_MARGIN_MS} ms: the takeover of a crashed holder's ` +
          `lock (${takeover} = ${takeoverMs} ms) plus ${LOCK_TAKEOVER_MARGIN_MS} ms, or its waiters give up ` +
          'just before they could take over',
      });
    }
    if (config.LOCK_BACKEND === 'zookeeper' && !config.ZOOKEEPER_CONNECT) {
      ctx.addIssue({
        code: 'custom',
        path: ['ZOOKEEPER_CONNECT'],
        message: 'is required when LOCK_BACKEND is zookeeper (e.g. 127.0.0.1:2181/red-packets)',
      });
    }
  }),
);

export type Config = z.output<typeof configSchema>;

/**
 * Whether the Redis URL (or seed list) carries a user or password: any `@`, since no host name, port or
 * database number has one, and a password may itself hold `/` or `@` that would fool a URL parser.
 */
const hasCredentials = (urls: string): boolean => urls.includes('@');

/** Whether this process may take the caller from the `x-user-id` / `x-operator-id` headers. */
export const trustsIdentityHeaders = (config: Pick<Config, 'STAGE' | 'IS_OFFLINE'>): boolean =>
  config.STAGE === 'local' && config.IS_OFFLINE === 'true';

/** The environment with empty values as unset (a template renders an unset param as ''). */
const withoutEmpty = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));

const describeIssues = (issues: readonly z.core.$ZodIssue[]) =>
  issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/** Reads and validates the function's settings from the environment; throws {@link ConfigError}. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(withoutEmpty(env));
  if (parsed.success) return parsed.data;
  throw new ConfigError(`invalid configuration: ${describeIssues(parsed.error.issues)}`);
}

/** The settings the domain reads, besides where Redis is: durability, sender limits, retention. */
const packetSettingsSchema = z.pick(settingsSchema, {
  REDIS_MIN_REPLICAS: true,
  REDIS_WAIT_TIMEOUT_MS: true,
  MAX_OPEN_PACKETS_PER_SENDER: true,
  MAX_PACKET_AMOUNT: true,
  PACKET_RETENTION_DAYS: true,
});

export type PacketSettings = z.output<typeof packetSettingsSchema>;

/** Reads only the domain's settings (the operator CLI needs no queue URL to reconcile); throws {@link ConfigError}. */
export function loadPacketSettings(env: NodeJS.ProcessEnv = process.env): PacketSettings {
  const parsed = packetSettingsSchema.safeParse(withoutEmpty(env));
  if (parsed.success) return parsed.data;
  throw new ConfigError(`invalid configuration: ${describeIssues(parsed.error.issues)}`);
}

/** The `createRedPackets` options those settings mean, one mapping for the functions and the CLI. */
export function packetsOptions(
  settings: PacketSettings,
): Required<Pick<RedPacketsOptions, 'durability' | 'senderLimits' | 'retentionMs'>> {
  return {
    durability: { minReplicas: settings.REDIS_MIN_REPLICAS, waitTimeoutMs: settings.REDIS_WAIT_TIMEOUT_MS },
    senderLimits: {
      maxOpenPackets: settings.MAX_OPEN_PACKETS_PER_SENDER,
      maxPacketAmount: settings.MAX_PACKET_AMOUNT,
    },
    retentionMs: Math.round(settings.PACKET_RETENTION_DAYS * 86_400_000),
  };
}

/** The `createLockBackend` options those settings mean: one mapping for the functions and the test workers. */
export function lockBackendOptions(config: Config): LockBackendOptions {
  return {
    backend: config.LOCK_BACKEND,
    ...(config.ZOOKEEPER_CONNECT ? { zookeeperConnect: config.ZOOKEEPER_CONNECT } : {}),
    zookeeperSession: { sessionTimeoutMs: config.ZOOKEEPER_SESSION_TIMEOUT_MS },
    redisLock: {
      ttlMs: config.LOCK_TTL_MS,
      driftMs: config.LOCK_DRIFT_MS,
      clock: config.LOCK_CLOCK,
      waitMs: config.LOCK_WAIT_MS,
    },
  };
}
