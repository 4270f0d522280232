import { SQSClient } from '@aws-sdk/client-sqs';
import { createLockBackend } from '../lock/index.ts';
import { createRedPackets, type RedisClient, type RedPackets } from '../packets/index.ts';
import { createSqsQueue, type MessageQueue } from '../queue/MessageQueue.ts';
import { type Config, loadConfig, packetsOptions } from './config.ts';
import { createRedisClient } from './redisClient.ts';

/** What the handlers share across invocations of one Lambda container. */
export interface Services {
  config: Config;
  redis: RedisClient;
  packets: RedPackets;
  /** The claims queue: claims, batch payouts and the sweeper's re-sends all go through it. */
  queue: MessageQueue;
}

let services: Services | undefined;

/**
 * The container's clients, created on first use and reused by later invocations (connection set-up is
 * the expensive part of a cold start). Redis fails fast instead of queueing while unreachable, and an SQS
 * call gives up within seconds, so a request answers 503 (or, for a send whose outcome is unknown, leaves
 * the claim to the sweeper) and a queue record is retried by SQS, instead of hanging until the timeout.
 */
export function getServices(): Services {
  if (services) return services;
  const config = loadConfig();
  const redis = createRedisClient(
    { url: config.REDIS_URL, mode: config.REDIS_MODE },
    { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 3000, enableAutoPipelining: false },
  );
  redis.on('error', () => {}); // surfaced per command; the client reconnects by itself
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
  });
  // LOCK_BACKEND picks the packet lock; ZooKeeper connects on the first acquisition, not at cold start.
  const { lock } = createLockBackend(redis, {
    backend: config.LOCK_BACKEND,
    ...(config.ZOOKEEPER_CONNECT ? { zookeeperConnect: config.ZOOKEEPER_CONNECT } : {}),
    zookeeperSession: { sessionTimeoutMs: config.ZOOKEEPER_SESSION_TIMEOUT_MS },
  });
  services = {
    config,
    redis,
    packets: createRedPackets(redis, { lock, ...packetsOptions(config) }),
    queue: createSqsQueue(sqs, config.CLAIMS_QUEUE_URL),
  };
  return services;
}
