import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLockBackend } from '../lock/index.ts';
import { createRedPackets, type RedisClient, type RedPackets } from '../packets/index.ts';
import { createSqsQueue, type MessageQueue } from '../queue/MessageQueue.ts';
import { type Config, loadConfig, packetsOptions } from './config.ts';
import { readRedisSecret } from './readRedisSecret.ts';
import { createRedisClient } from './redisClient.ts';

/** What the handlers share across invocations of one Lambda container. */
export interface Services {
  config: Config;
  redis: RedisClient;
  packets: RedPackets;
  /** The claims queue: claims, batch payouts and the sweeper's re-sends all go through it. */
  queue: MessageQueue;
}

let services: Promise<Services> | undefined;

/** How long an AWS API call (SQS, Secrets Manager) may take before it is abandoned, ms. */
const AWS_TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 3000 };

/**
 * The container's clients, created on first use and reused by later invocations (connection set-up is
 * the expensive part of a cold start); a failed set-up (a secret that could not be read) is tried again by
 * the next invocation. Redis fails fast instead of queueing while unreachable, and an SQS call gives up
 * within seconds, so a request answers 503 (or, for a send whose outcome is unknown, leaves the claim to
 * the sweeper) and a queue record is retried by SQS, instead of hanging until the timeout.
 */
export function getServices(): Promise<Services> {
  services ??= createServices().catch((error: unknown) => {
    services = undefined;
    throw error;
  });
  return services;
}

async function createServices(): Promise<Services> {
  const config = loadConfig();
  const credentials = config.REDIS_SECRET_ID
    ? await readRedisSecret(
        new SecretsManagerClient({
          region: config.AWS_REGION,
          maxAttempts: 3,
          requestHandler: AWS_TIMEOUTS,
          ...(config.SECRETS_MANAGER_ENDPOINT ? { endpoint: config.SECRETS_MANAGER_ENDPOINT } : {}),
        }),
        config.REDIS_SECRET_ID,
      )
    : {};
  const redis = createRedisClient(
    { url: config.REDIS_URL, mode: config.REDIS_MODE },
    {
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 3000,
      enableAutoPipelining: false,
      ...credentials,
    },
  );
  redis.on('error', () => {}); // surfaced per command; the client reconnects by itself
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    maxAttempts: 3,
    requestHandler: AWS_TIMEOUTS,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
  });
  // LOCK_BACKEND picks the packet lock; ZooKeeper connects on the first acquisition, not at cold start.
  const { lock } = createLockBackend(redis, {
    backend: config.LOCK_BACKEND,
    ...(config.ZOOKEEPER_CONNECT ? { zookeeperConnect: config.ZOOKEEPER_CONNECT } : {}),
    zookeeperSession: { sessionTimeoutMs: config.ZOOKEEPER_SESSION_TIMEOUT_MS },
  });
  return {
    config,
    redis,
    packets: createRedPackets(redis, { lock, ...packetsOptions(config) }),
    queue: createSqsQueue(sqs, config.CLAIMS_QUEUE_URL),
  };
}
